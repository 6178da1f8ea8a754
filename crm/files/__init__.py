"""Protected files: uploads checked and named by the server (`uploads`), downloads only through the API
with the same access rules as the record (`downloads`: the registry of file kinds and the view), and the
admin's links to them (`admin`). May import Django, the libraries and the kernel (`crm.api`); apps register
their kinds in their `AppConfig.ready()`.
"""
