{{ m.create_schema(schema) }};
