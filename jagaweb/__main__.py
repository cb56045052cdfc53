from jagaweb.cli import main

main()
