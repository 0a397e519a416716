/* cip/cip.h - umbrella header for libcip, the Customer Intelligence Platform
 *
 * Including this header gives the whole public API; each module's header can
 * also be included on its own.
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_CIP_H
#define CIP_CIP_H

#include "cip/core.h"
#include "cip/rng.h"
#include "cip/data.h"
#include "cip/stats.h"
#include "cip/metrics.h"
#include "cip/describe.h"
#include "cip/schema.h"
#include "cip/synth.h"
#include "cip/features.h"
#include "cip/validate.h"
#include "cip/baseline.h"
#include "cip/scale.h"
#include "cip/kmeans.h"
#include "cip/forest.h"
#include "cip/train.h"
#include "cip/clv.h"
#include "cip/track.h"
#include "cip/registry.h"
#include "cip/audit.h"
#include "cip/runlog.h"
#include "cip/bundle.h"
#include "cip/monitor.h"
#include "cip/pipeline.h"
#include "cip/report.h"
#include "cip/serve.h"

#endif /* CIP_CIP_H */
