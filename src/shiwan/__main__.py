from shiwan.cli import main

main()
