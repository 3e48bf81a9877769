-- The lines of {{ what }}, read by sparkify and sent by the client (not shown here).
COPY {{ lines }} (file_no, line_no, raw, pre_reason, pre_col, exponent) FROM STDIN
