# listing never creates a store
ARGS=(runs list --tracking-uri sqlite:///nothere.db)
EXIT=1
STDERR_HAS=("does not exist")
CHECK='[ ! -e nothere.db ]'
