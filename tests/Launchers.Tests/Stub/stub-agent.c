/* Stands in for claude, codex and gemini in the launcher tests: records what it was started with, then
 * exits with $STUB_EXIT. The first thing it does is take the time, so the benchmark measures up to here.
 *   STUB_RECORD      file to write (one "key=value" per line)
 *   STUB_EXIT        exit code (default 0)
 *   STUB_WRITE_AUTH  if set, written to $HOME/.codex/auth.json (a token refresh, as codex does) */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void list(FILE *out, const char *home, const char *name) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", home, name);
  char real[4096];
  if (realpath(path, real)) fprintf(out, "link=%s>%s\n", name, real);
  DIR *d = opendir(path);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) fprintf(out, "file=%s/%s\n", name, e->d_name);
  }
  closedir(d);
}

int main(int argc, char **argv) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  const char *record = getenv("STUB_RECORD");
  if (record) {
    FILE *out = fopen(record, "w");
    if (!out) return 125;
    fprintf(out, "t=%lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
    fprintf(out, "pid=%d\n", (int)getpid());
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd)) fprintf(out, "cwd=%s\n", cwd);
    for (int i = 0; i < argc; i++) fprintf(out, "arg=%s\n", argv[i]);
    for (char **e = environ; *e; e++) fprintf(out, "env=%s\n", *e);
    const char *home = getenv("HOME");
    if (home) {
      list(out, home, ".claude");
      list(out, home, ".codex");
      list(out, home, ".gemini");
      list(out, home, ".claude.json");
    }
    fclose(out);
  }
  const char *auth = getenv("STUB_WRITE_AUTH");
  const char *home = getenv("HOME");
  if (auth && home) {
    char path[4096];
    snprintf(path, sizeof path, "%s/.codex/auth.json", home);
    FILE *f = fopen(path, "w");
    if (f) { fputs(auth, f); fclose(f); }
  }
  const char *code = getenv("STUB_EXIT");
  return code ? atoi(code) : 0;
}
