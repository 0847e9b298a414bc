# Meetings of a pair; built in the meetings issue.
