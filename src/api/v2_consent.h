/* /v2 consent management: LegalBasis*, Agreement* (without
 * AgreementCancelRequest, which belongs to data-subject requests) and
 * ProcessingActivity*. */
#ifndef BK_V2_CONSENT_H
#define BK_V2_CONSENT_H

#include "route.h"

extern const struct route v2_consent_routes[];

#endif
