"""The GitHub Action front (``action.yml``): run ``jobguard check`` on a pull request and report the GitHub way.

``action.yml`` installs jobguard into its own venv and runs ``python -m jobguard.action``. Every input arrives
through an environment variable (never through ``${{ inputs.* }}`` inside a script), so no input can inject shell.
This package turns the check's JSON result into workflow annotations (within GitHub's display limits), step
outputs, a job summary and a SARIF file.
"""
