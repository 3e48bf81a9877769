from sparkify_cli.cli import main

main()
