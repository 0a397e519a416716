# a schema revision cip does not know: named, and never written
[ -x /usr/bin/python3 ] || { echo "SKIP: /usr/bin/python3 (seeds the store) is absent"; exit 0; }
/usr/bin/python3 -c 'import sqlite3; c=sqlite3.connect("mlflow.db"); c.execute("create table alembic_version(version_num varchar(32) not null)"); c.execute("insert into alembic_version values (\"abcdef123456\")"); c.commit()'
md5sum mlflow.db > before.md5
ARGS=(runs gc --mark-failed-older-than 1h)
EXIT=1
STDERR_HAS=("schema revision 'abcdef123456'" "will not write to it")
CHECK='md5sum -c before.md5 >/dev/null'
