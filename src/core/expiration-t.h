/* Types shared by users.h and expiration.h (which needs users.h). */
#ifndef BK_EXPIRATION_T_H
#define BK_EXPIRATION_T_H

#include <stdint.h>

/* What UserCreate asks for; zero members are "not given". */
struct expiry_req {
    int64_t sliding;            /* seconds each access extends the record by */
    int64_t finaltime;          /* unix seconds: the record goes at the latest then */
};

/* What UserGet reports, as unix seconds; 0: none. */
struct expiry_times {
    int64_t finaltime;
    int64_t slidingtime;        /* the sliding deadline: last access + sliding period */
    int64_t expirationtime;     /* when the record expires: the earlier of the two */
};

#endif
