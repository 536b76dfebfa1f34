/* privdrop.c - giving up root after the sockets are bound: switch to an
 * unprivileged user (gid, no supplementary groups, uid), prove root cannot
 * be regained, and set no_new_privs so nothing exec'd later gains any.
 * Called once by serve.c on the main thread before the workers start. */
#include "server/http_int.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int srv_privdrop(const char *user, bool *dropped, gh_err *e) {
    *dropped = false;
    if (geteuid() == 0 || getuid() == 0) {
        const char *name = user && *user ? user : "nobody";
        errno = 0;
        struct passwd *pw = getpwnam(name);
        if (!pw)
            return gh_err_set(e, GH_EINVAL, NULL, 0, 0,
                              "run_as_user: no user %s to drop privileges to", name);
        if (pw->pw_uid == 0)
            return gh_err_set(e, GH_EINVAL, NULL, 0, 0,
                              "run_as_user: %s is root; refusing to serve as root", name);
        uid_t uid = pw->pw_uid;
        gid_t gid = pw->pw_gid;
        if (setgroups(1, &gid) != 0 || setresgid(gid, gid, gid) != 0 ||
            setresuid(uid, uid, uid) != 0)
            return gh_err_set(e, GH_EIO, NULL, 0, 0, "cannot drop privileges to %s: %s", name,
                              strerror(errno));
        if (setuid(0) == 0 || seteuid(0) == 0)
            return gh_err_set(e, GH_EINTERNAL, NULL, 0, 0,
                              "privileges were not dropped: root could be regained");
        *dropped = true;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return gh_err_set(e, GH_EIO, NULL, 0, 0, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
    return 0;
}
