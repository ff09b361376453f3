/*
 * A stand-in for podman that the HostShim tests put first on PATH. It never touches containers: it
 * appends its argv (and NOTIFY_SOCKET) to $FAKE_PODMAN_LOG and answers from environment variables.
 *
 *   FAKE_PODMAN_LOG          file to append one record per call: "@@ call", "arg:<arg>"..., "env:NOTIFY_SOCKET=<v>"
 *   FAKE_PODMAN_INFO         what `podman info` prints (default: rootful, local, 4.3.1)
 *   FAKE_PODMAN_PS_ALL       what `podman ps --all` prints (names, one per line)
 *   FAKE_PODMAN_PS           what `podman ps` prints
 *   FAKE_PODMAN_STATE        a directory: `run --detach --name N` creates N there, `rm --force N` removes it,
 *                            and `ps` lists it (instead of FAKE_PODMAN_PS*)
 *   FAKE_PODMAN_EXIT         exit code of run/exec/other calls (default 0)
 *   FAKE_PODMAN_NOTIFY       when set and NOTIFY_SOCKET is set, `run` sends "MAINPID=1\nREADY=1" there
 *   FAKE_PODMAN_ECHO         `run` reads one line from stdin and prints "echo:<line>" to stdout
 *   FAKE_PODMAN_BOOT_NOISE   `run` first prints systemd 257's two cgroup lines as a console gets them, then
 *                            "console: tty=<isatty(0)> leader=<session leader> ctty=<has /dev/tty> rows=<N>",
 *                            then one of those lines again (no longer at the start)
 *   FAKE_PODMAN_WAIT_SIGNAL  `run` writes $FAKE_PODMAN_READY_FILE, waits for SIGINT/SIGTERM/SIGHUP,
 *                            logs "signal:<n>" and exits 128+n (gives up after 30 s with 99); a `stop`
 *                            meanwhile creates $FAKE_PODMAN_READY_FILE.stopped, and `run` then exits 0
 *   FAKE_PODMAN_LOGS         what `podman logs` prints
 *   FAKE_PODMAN_EXEC         what `podman exec` prints (then it exits with FAKE_PODMAN_EXIT)
 *   FAKE_PODMAN_IMAGE_FILE   when set, `image exists|inspect` find the image only while this file exists;
 *                            otherwise "image not known", exit 125. Unset: found, nothing printed. Each line is
 *                            "FORMAT<tab>VALUE" (what `--format FORMAT` prints) or a VALUE for any other format
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static void log_line(const char *prefix, const char *text) {
    const char *path = getenv("FAKE_PODMAN_LOG");
    if (!path) return;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600);
    if (fd < 0) return;
    char buf[8192];
    int n = snprintf(buf, sizeof buf, "%s%s\n", prefix, text);
    if (n > 0) (void)!write(fd, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
    close(fd);
}

/* One write per call, so the records of calls made at once (ai ps asks every sandbox in parallel) never interleave. */
static void log_call(int argc, char **argv) {
    const char *path = getenv("FAKE_PODMAN_LOG");
    if (!path) return;
    static char buf[65536];
    size_t n = 0;
    n += (size_t)snprintf(buf + n, sizeof buf - n, "@@ call\n");
    for (int i = 1; i < argc && n < sizeof buf; i++) n += (size_t)snprintf(buf + n, sizeof buf - n, "arg:%s\n", argv[i]);
    const char *notify = getenv("NOTIFY_SOCKET");
    if (n < sizeof buf) n += (size_t)snprintf(buf + n, sizeof buf - n, "env:NOTIFY_SOCKET=%s\n", notify ? notify : "");
    if (n > sizeof buf) n = sizeof buf;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600);
    if (fd < 0) return;
    (void)!write(fd, buf, n);
    close(fd);
}

static int has_arg(int argc, char **argv, const char *arg) {
    for (int i = 1; i < argc; i++) if (strcmp(argv[i], arg) == 0) return 1;
    return 0;
}

static const char *arg_after(int argc, char **argv, const char *arg) {
    for (int i = 1; i + 1 < argc; i++) if (strcmp(argv[i], arg) == 0) return argv[i + 1];
    return NULL;
}

static int exit_code(void) {
    const char *e = getenv("FAKE_PODMAN_EXIT");
    return e ? atoi(e) : 0;
}

static void on_signal(int sig) {
    char text[16];
    snprintf(text, sizeof text, "%d", sig);
    log_line("signal:", text);
    _exit(128 + sig);
}

static void notify_ready(void) {
    const char *path = getenv("NOTIFY_SOCKET");
    if (!path || !getenv("FAKE_PODMAN_NOTIFY")) return;
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    strncpy(addr.sun_path, path, sizeof addr.sun_path - 1);
    const char *msg = "MAINPID=1\nREADY=1";
    sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&addr, sizeof addr);
    close(fd);
}

static void list_state(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) if (e->d_name[0] != '.') printf("%s\n", e->d_name);
    closedir(d);
}

static int run(int argc, char **argv) {
    const char *state = getenv("FAKE_PODMAN_STATE");
    const char *name = arg_after(argc, argv, "--name");
    if (state && name && has_arg(argc, argv, "--detach")) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", state, name);
        int fd = open(path, O_WRONLY | O_CREAT, 0600);
        if (fd >= 0) close(fd);
        printf("0123456789abcdef\n");
        return exit_code();
    }
    notify_ready();
    if (getenv("FAKE_PODMAN_BOOT_NOISE")) {
        static const char noise[] =
            "\0\033[0;1;31mFailed to create symlink /sys/fs/cgroup/cpuacct: File exists\033[0m\r\r\n"
            "\033[0;1;31mFailed to create symlink /sys/fs/cgroup/cpu: File exists\033[0m\r\r\n";
        fwrite(noise, 1, sizeof noise - 1, stdout);
        fflush(stdout);
        int tty = open("/dev/tty", O_RDWR);
        struct winsize ws = {0};
        ioctl(0, TIOCGWINSZ, &ws);
        printf("console: tty=%d leader=%d ctty=%d rows=%d\n", isatty(0), getsid(0) == getpid(), tty >= 0, ws.ws_row);
        printf("Failed to create symlink /sys/fs/cgroup/cpu: File exists\n");
        fflush(stdout);
    }
    if (getenv("FAKE_PODMAN_ECHO")) {
        char line[1024];
        if (fgets(line, sizeof line, stdin)) {
            line[strcspn(line, "\n")] = 0;
            printf("echo:%s\n", line);
        }
        fprintf(stderr, "fake podman stderr\n");
        fflush(stdout);
    }
    if (getenv("FAKE_PODMAN_WAIT_SIGNAL")) {
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        signal(SIGHUP, on_signal);
        const char *ready = getenv("FAKE_PODMAN_READY_FILE");
        if (ready) {
            int fd = open(ready, O_WRONLY | O_CREAT, 0600);
            if (fd >= 0) close(fd);
        }
        char stopped[4096];
        snprintf(stopped, sizeof stopped, "%s.stopped", ready ? ready : "");
        for (int i = 0; i < 300; i++) {
            if (ready && access(stopped, F_OK) == 0) return 0;
            usleep(100000);
        }
        return 99;
    }
    return exit_code();
}

int main(int argc, char **argv) {
    log_call(argc, argv);
    const char *cmd = argc > 1 ? argv[1] : "";
    const char *state = getenv("FAKE_PODMAN_STATE");

    if (strcmp(cmd, "info") == 0) {
        const char *info = getenv("FAKE_PODMAN_INFO");
        printf("%s\n", info ? info
            : "{\"host\":{\"security\":{\"rootless\":false},\"serviceIsRemote\":false},\"version\":{\"Version\":\"4.3.1\"}}");
        return 0;
    }
    if (strcmp(cmd, "ps") == 0) {
        if (state) { list_state(state); return 0; }
        const char *out = getenv(has_arg(argc, argv, "--all") ? "FAKE_PODMAN_PS_ALL" : "FAKE_PODMAN_PS");
        if (out && *out) printf("%s\n", out);
        return 0;
    }
    if (strcmp(cmd, "rm") == 0) {
        if (state && argc > 2) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", state, argv[argc - 1]);
            unlink(path);
        }
        return 0;
    }
    if (strcmp(cmd, "image") == 0) {
        const char *file = getenv("FAKE_PODMAN_IMAGE_FILE");
        if (!file) return 0;
        FILE *f = fopen(file, "r");
        if (!f) {
            fprintf(stderr, "Error: inspecting object: %s: image not known\n", argv[argc - 1]);
            return 125;
        }
        const char *format = arg_after(argc, argv, "--format");
        char line[1024], fallback[1024] = "", *answer = NULL;
        while (!answer && fgets(line, sizeof line, f)) {
            line[strcspn(line, "\n")] = 0;
            char *tab = strchr(line, '\t');
            if (!tab) { if (!fallback[0]) snprintf(fallback, sizeof fallback, "%s", line); continue; }
            *tab = 0;
            if (format && strcmp(line, format) == 0) answer = tab + 1;
        }
        fclose(f);
        if (argc > 2 && strcmp(argv[2], "inspect") == 0) printf("%s\n", answer ? answer : fallback);
        return 0;
    }
    if (strcmp(cmd, "stop") == 0) {
        const char *ready = getenv("FAKE_PODMAN_READY_FILE");
        if (ready) {
            char path[4096];
            snprintf(path, sizeof path, "%s.stopped", ready);
            int fd = open(path, O_WRONLY | O_CREAT, 0600);
            if (fd >= 0) close(fd);
        }
        return exit_code();
    }
    if (strcmp(cmd, "logs") == 0) {
        const char *out = getenv("FAKE_PODMAN_LOGS");
        if (out) printf("%s\n", out);
        return 0;
    }
    if (strcmp(cmd, "exec") == 0) {
        const char *out = getenv("FAKE_PODMAN_EXEC");
        if (out) printf("%s\n", out);
        return exit_code();
    }
    if (strcmp(cmd, "run") == 0) return run(argc, argv);
    return exit_code();
}
