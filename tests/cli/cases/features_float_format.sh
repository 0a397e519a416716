# --float-format changes float cells only; unsafe formats are usage errors.
ARGS=(features "$DATA/features/small_raw.csv" --float-format %.2f -q)
STDOUT_HAS=("1,14,30000,150,3.00,North,10,North,True,False,False,15.00,0.01,Young_Adult,Low_Income,0.00,1.00,")
CHECK="\"\$CIP_BIN\" features '$DATA/features/small_raw.csv' --float-format '%s%f' 2>err; test \$? = 2 && grep -q 'needs one %f' err"
