#!/usr/bin/Rscript
# forest_ranger.R - ranger side of bench/forest_bench.sh (one JSON line)
#
#   Rscript bench/forest_ranger.R CSV reg|clf TREES THREADS
#
# Fully grown trees as scikit-learn's defaults (min.node.size 1, bootstrap with
# replacement), mtry floor(p / 3) (reg) or floor(sqrt(p)) (clf); classification
# is a probability forest (hold-out ROC AUC from the class-1 probability).
# Hold-out: the last 20 % of the rows. SPDX-License-Identifier: MIT
suppressPackageStartupMessages(library(ranger))
a <- commandArgs(trailingOnly = TRUE)
path <- a[1]; task <- a[2]; trees <- as.integer(a[3]); nt <- as.integer(a[4])
d <- read.csv(path)
n <- nrow(d); n_te <- as.integer(n * 0.2); n_tr <- n - n_te
x <- as.matrix(d[, setdiff(names(d), "target")])
y <- d$target
p <- ncol(x)
tr <- seq_len(n_tr); te <- (n_tr + 1):n
now <- function() as.numeric(proc.time()[["elapsed"]])
cpu <- function() { t <- proc.time(); t[["user.self"]] + t[["sys.self"]] + t[["user.child"]] + t[["sys.child"]] }
t0 <- now(); c0 <- cpu()
if (task == "reg") {
  m <- ranger(x = x[tr, , drop = FALSE], y = y[tr], num.trees = trees, mtry = floor(p / 3),
              min.node.size = 1, num.threads = nt, seed = 0)
} else {
  m <- ranger(x = x[tr, , drop = FALSE], y = factor(y[tr]), num.trees = trees,
              mtry = floor(sqrt(p)), min.node.size = 1, probability = TRUE, num.threads = nt,
              seed = 0)
}
fit_s <- now() - t0; fit_cpu <- cpu() - c0
t0 <- now()
pr <- predict(m, x[te, , drop = FALSE], num.threads = nt)$predictions
pred_s <- now() - t0
yt <- y[te]
if (task == "reg") {
  metric <- 1 - sum((yt - pr)^2) / sum((yt - mean(yt))^2)
} else {
  s <- pr[, "1"]
  r <- rank(s)  # average ranks for ties (Mann-Whitney U)
  np <- sum(yt == 1); nn <- length(yt) - np
  metric <- (sum(r[yt == 1]) - np * (np + 1) / 2) / (np * nn)
}
k <- min(200, n_te)
t0 <- now()
for (i in seq_len(k)) predict(m, x[n_tr + i, , drop = FALSE], num.threads = 1)
lat <- (now() - t0) / k * 1e6
nodes <- sum(sapply(m$forest$child.nodeIDs, function(t) length(t[[1]])))
cat(sprintf(paste0('{"bench":"forest","impl":"ranger","task":"%s","rows":%d,"features":%d,',
                   '"trees":%d,"mtry":%d,"threads":%d,"fit_s":%.3f,"fit_cpu_s":%.3f,"%s":%.6f,',
                   '"predict_rows_per_s":%.0f,"row_latency_us":%.2f,"nodes":%.0f}\n'),
            task, n, p, trees, m$mtry, nt, fit_s, fit_cpu, if (task == "reg") "r2" else "auc", metric,
            n_te / pred_s, lat, nodes))
