# Anonymous evaluations; built in the evaluations issue.
