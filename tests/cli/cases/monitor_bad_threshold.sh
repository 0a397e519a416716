# psi-alert below psi-warn is a usage error
ARGS=(monitor --model m --current c.csv --psi-warn 0.3 --psi-alert 0.2)
EXIT=2
STDERR_HAS=('psi_warn <= psi_alert')
