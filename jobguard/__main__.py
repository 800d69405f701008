"""Allow ``python -m jobguard``."""

from jobguard.cli import main

if __name__ == "__main__":
    main()
