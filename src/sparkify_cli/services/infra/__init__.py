"""The AWS side: plan and apply the IAM role, network access and Redshift cluster (manage.py), the
least-privilege policies and prices (policy.py), and the step machinery (steps.py)."""
