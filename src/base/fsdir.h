/* Directory durability. */
#ifndef BK_FSDIR_H
#define BK_FSDIR_H

/* fsync the directory holding <path>, so that a file just created or
 * renamed there survives a power cut; best effort (a failure leaves the
 * entry as durable as the file system makes it anyway). */
void fsdir_sync_parent(const char *path);

#endif
