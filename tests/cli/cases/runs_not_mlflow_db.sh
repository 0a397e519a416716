# a foreign SQLite database is refused and left byte-identical
[ -x /usr/bin/python3 ] || { echo "SKIP: /usr/bin/python3 (seeds the store) is absent"; exit 0; }
/usr/bin/python3 -c 'import sqlite3; c=sqlite3.connect("other.db"); c.execute("create table t(x)"); c.commit()'
md5sum other.db > before.md5
ARGS=(runs gc --mark-failed-older-than 1h --tracking-uri sqlite:///other.db)
EXIT=1
STDERR_HAS=("is not an MLflow tracking database")
CHECK='md5sum -c before.md5 >/dev/null && [ ! -e other.db-wal ]'
