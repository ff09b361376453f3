// The bench's readiness probe, built into both benchmarked images alike and started with the first jobs
// of the boot (bench-ready.service): it waits until PostgreSQL answers `select 1` over TCP and Redis
// answers PING, then writes the wall-clock time to /run/bench-ready. The bench reads it afterwards, so
// neither podman exec's latency nor a client program's start-up (psql takes 20-40 ms during a boot)
// is counted against the services. A refused connection costs microseconds; attempts are 2 ms apart.
#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int postgres_works(void)
{
    PGconn *conn = PQconnectdb("host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=2");
    int ok = 0;
    if (PQstatus(conn) == CONNECTION_OK) {
        PGresult *result = PQexec(conn, "select 1");
        ok = PQresultStatus(result) == PGRES_TUPLES_OK && strcmp(PQgetvalue(result, 0, 0), "1") == 0;
        PQclear(result);
    }
    PQfinish(conn);
    return ok;
}

static int redis_works(void)
{
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(6379) };
    struct timeval timeout = { .tv_sec = 2 };
    char reply[8] = { 0 };
    int ok = 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0 && write(fd, "PING\r\n", 6) == 6) {
        ssize_t got = 0, n;
        while (got < 7 && (n = read(fd, reply + got, 7 - got)) > 0)
            got += n;
        ok = got == 7 && memcmp(reply, "+PONG\r\n", 7) == 0;
    }
    close(fd);
    return ok;
}

int main(void)
{
    const struct timespec pause = { .tv_nsec = 2 * 1000 * 1000 };
    int postgres = 0, redis = 0;
    while (!(postgres = postgres || postgres_works()) | !(redis = redis || redis_works()))
        nanosleep(&pause, NULL);

    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    FILE *out = fopen("/run/bench-ready.tmp", "w");
    if (out == NULL || fprintf(out, "%lld.%09ld\n", (long long)now.tv_sec, now.tv_nsec) < 0 || fclose(out) != 0)
        return 1;
    return rename("/run/bench-ready.tmp", "/run/bench-ready") == 0 ? 0 : 1;
}
