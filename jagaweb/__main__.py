from jagaweb.cli import run

run()
