"""What every sync worker and file import shares: the write rule (`records`: a record brought within
its columns, a refused one skipped), bulk SQL (`bulk`), command arguments read by the strict parser
(`arguments`) and PostgreSQL advisory locks (`locks`).

May import Django, the libraries and `crm.api`; never an app (import contracts in pyproject.toml).
"""
