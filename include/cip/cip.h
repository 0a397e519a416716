/* cip/cip.h - umbrella header for libcip, the Customer Intelligence Platform
 * SPDX-License-Identifier: MIT
 */
#ifndef CIP_CIP_H
#define CIP_CIP_H

#include "cip/core.h"
#include "cip/rng.h"
#include "cip/data.h"

#endif /* CIP_CIP_H */
