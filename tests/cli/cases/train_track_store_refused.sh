# cip train refuses a store it must not write (newer MLflow schema revision) before
# training, names the revision and leaves the file byte-identical; a read-only
# directory gives one clear message too
[ -x /usr/bin/python3 ] || { echo "SKIP: /usr/bin/python3 (seeds the store) is absent"; exit 0; }
/usr/bin/python3 -c 'import sqlite3; c=sqlite3.connect("newer.db"); c.execute("create table alembic_version(version_num varchar(32) not null)"); c.execute("insert into alembic_version values (\"0123abcd9999\")"); c.commit()'
md5sum newer.db > before.md5
mkdir ro && chmod 555 ro
rodb=$WORK/ro/mlflow.db
[ "$(id -u)" = 0 ] && rodb=/sys/cip-test-$$.db   # root writes anywhere but /sys
export RODB=$rodb
ARGS=(train clv "$DATA/train/generic.csv" --target y --features x1,x2 --cv 0 --n-estimators 5
      -q -o model --tracking-uri sqlite:///newer.db)
EXIT=1
STDERR_HAS=("schema revision '0123abcd9999'" "will not write to it" "nothing was trained")
CHECK='md5sum -c before.md5 >/dev/null && [ ! -e newer.db-wal ] && [ ! -e model ] &&
! "$CIP_BIN" train clv "$DATA/train/generic.csv" --target y --features x1,x2 --cv 0 \
  --n-estimators 5 -q --tracking-uri "sqlite:///$RODB" 2>ro.err &&
grep -q "cannot create tracking store" ro.err && [ ! -e "$RODB" ]'
