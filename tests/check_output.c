/* tests/check_output.c: atomic output files. */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include <tally/output.h>

#include "internal.h"

static char dir[64];

static void
mkdir_tmp(void)
{
	strcpy(dir, "/tmp/tally-out-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static int
entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static char *
slurp(const char *path)
{
	static char buf[256];
	FILE *fp = fopen(path, "r");
	size_t n;

	ck_assert_ptr_nonnull(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* Whether dir's file system gives unnamed files (O_TMPFILE). */
static int
has_tmpfile(void)
{
	int fd = open(dir, O_TMPFILE | O_WRONLY, 0600);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/* The pid of a process that has ended. */
static pid_t
dead_pid(void)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	return pid;
}

static void
touch(const char *name)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	fclose(fp);
}

static int
exists(const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return lstat(path, &st) == 0;
}

static void
rm_all(void)
{
	char path[512];
	struct dirent *de;
	DIR *d = opendir(dir);

	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
	closedir(d);
	rmdir(dir);
}

/* Nothing named beside the target while writing: a kill -9 leaves none. */
START_TEST(unnamed_temporary_file)
{
	struct tally_output *o;
	struct tally_error err;
	char path[128];

	mkdir_tmp();
	if (!has_tmpfile()) {
		rmdir(dir);
		return;
	}
	snprintf(path, sizeof(path), "%s/r.html", dir);
	ck_assert_int_eq(tally_output_open(&o, path, &err), TALLY_OK);
	fputs("report", tally_output_file(o));
	ck_assert_int_eq(entries(), 0);
	ck_assert_int_eq(tally_output_commit(o, &err), TALLY_OK);
	ck_assert_str_eq(slurp(path), "report");
	ck_assert_int_eq(entries(), 1);
	/* Aborted: nothing at all. */
	ck_assert_int_eq(tally_output_open(&o, path, &err), TALLY_OK);
	fputs("partial", tally_output_file(o));
	tally_output_abort(o);
	ck_assert_str_eq(slurp(path), "report");
	ck_assert_int_eq(entries(), 1);
	rm_all();
}
END_TEST

/* Without O_TMPFILE: a named file .NAME.tally-tmp.PID.XXXXXX. */
START_TEST(named_temporary_file)
{
	struct tally_output *o;
	struct tally_error err;
	struct dirent *de;
	char path[128], want[64];
	int n = 0;
	DIR *d;

	mkdir_tmp();
	snprintf(path, sizeof(path), "%s/r.html", dir);
	ck_assert_int_eq(tally_output_open_named(&o, path, &err), TALLY_OK);
	fputs("report", tally_output_file(o));
	snprintf(want, sizeof(want), ".r.html.tally-tmp.%ld.", (long)getpid());
	d = opendir(dir);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		else {
			ck_assert_int_eq(strncmp(de->d_name, want,
			    strlen(want)), 0);
			ck_assert_uint_eq(strlen(de->d_name), strlen(want) + 6);
			n++;
		}
	closedir(d);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(tally_output_commit(o, &err), TALLY_OK);
	ck_assert_str_eq(slurp(path), "report");
	ck_assert_int_eq(entries(), 1);
	rm_all();
}
END_TEST

/*
 * What a killed run left is removed by the next run for the same target
 * once its process is gone; a live run's file, another target's and
 * names off the pattern are kept.
 */
static void
check_cleaning(int named)
{
	struct tally_output *o;
	struct tally_error err;
	char path[128], dead[64], live[64], other[64];

	mkdir_tmp();
	snprintf(dead, sizeof(dead), ".r.html.tally-tmp.%ld.aB3dE9",
	    (long)dead_pid());
	snprintf(live, sizeof(live), ".r.html.tally-tmp.%ld.aB3dE9",
	    (long)getppid());
	snprintf(other, sizeof(other), ".s.html.tally-tmp.%ld.aB3dE9",
	    (long)dead_pid());
	touch(dead);
	touch(live);
	touch(other);
	touch(".r.html.tally-tmp.x.aB3dE9");
	touch(".r.html.tally-tmp.999999999.toolong7");
	snprintf(path, sizeof(path), "%s/r.html", dir);
	ck_assert_int_eq((named ? tally_output_open_named : tally_output_open)(
	    &o, path, &err), TALLY_OK);
	ck_assert(!exists(dead));
	ck_assert(exists(live));
	ck_assert(exists(other));
	ck_assert(exists(".r.html.tally-tmp.x.aB3dE9"));
	ck_assert(exists(".r.html.tally-tmp.999999999.toolong7"));
	tally_output_abort(o);
	rm_all();
}

START_TEST(stale_named_files_cleaned)
{
	check_cleaning(1);
}
END_TEST

START_TEST(stale_files_cleaned_also_when_unnamed)
{
	check_cleaning(0);
}
END_TEST

START_TEST(commit_replaces_atomically)
{
	struct tally_output *o;
	struct tally_error err;
	char path[128];
	struct stat st;
	FILE *fp;

	mkdir_tmp();
	snprintf(path, sizeof(path), "%s/report.txt", dir);
	fp = fopen(path, "w");
	fputs("old", fp);
	fclose(fp);
	ck_assert_int_eq(tally_output_open(&o, path, &err), TALLY_OK);
	fputs("new", tally_output_file(o));
	/* Until commit the old file is still there, beside the temporary
	 * file, which has no name where the file system has O_TMPFILE. */
	ck_assert_str_eq(slurp(path), "old");
	ck_assert_int_eq(entries(), has_tmpfile() ? 1 : 2);
	ck_assert_int_eq(tally_output_commit(o, &err), TALLY_OK);
	ck_assert_str_eq(slurp(path), "new");
	ck_assert_int_eq(entries(), 1);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0666 & ~umask(022));
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(abort_keeps_old_file)
{
	struct tally_output *o;
	struct tally_error err;
	char path[128];
	FILE *fp;

	mkdir_tmp();
	snprintf(path, sizeof(path), "%s/r", dir);
	fp = fopen(path, "w");
	fputs("old", fp);
	fclose(fp);
	ck_assert_int_eq(tally_output_open(&o, path, &err), TALLY_OK);
	fputs("partial", tally_output_file(o));
	tally_output_abort(o);
	ck_assert_str_eq(slurp(path), "old");
	ck_assert_int_eq(entries(), 1);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(symlink_target_is_replaced_not_written_through)
{
	struct tally_output *o;
	struct tally_error err;
	char path[128], victim[128];
	struct stat st;
	FILE *fp;

	mkdir_tmp();
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(path, sizeof(path), "%s/out", dir);
	fp = fopen(victim, "w");
	fputs("keep", fp);
	fclose(fp);
	ck_assert_int_eq(symlink(victim, path), 0);
	ck_assert_int_eq(tally_output_open(&o, path, &err), TALLY_OK);
	fputs("report", tally_output_file(o));
	ck_assert_int_eq(tally_output_commit(o, &err), TALLY_OK);
	ck_assert_str_eq(slurp(victim), "keep");
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	unlink(path);
	unlink(victim);
	rmdir(dir);
}
END_TEST

START_TEST(missing_directory_fails_cleanly)
{
	struct tally_output *o;
	struct tally_error err;

	tally_error_init(&err, NULL);
	ck_assert_int_eq(tally_output_open(&o, "/nonexistent-dir/x/out.txt",
	    &err), TALLY_EIO);
	ck_assert_ptr_null(o);
	ck_assert_ptr_nonnull(strstr(err.message, "cannot create"));
}
END_TEST

START_TEST(device_full_is_reported)
{
	struct tally_output *o;
	struct tally_error err;
	int i;

	if (access("/dev/full", W_OK) != 0)
		return;
	ck_assert_int_eq(tally_output_open(&o, "/dev/full", &err), TALLY_OK);
	for (i = 0; i < 10000; i++)
		fputs("0123456789", tally_output_file(o));
	ck_assert_int_eq(tally_output_commit(o, &err), TALLY_EIO);
	ck_assert_ptr_nonnull(strstr(err.message, "write error"));
}
END_TEST

Suite *suite_output(void);

Suite *
suite_output(void)
{
	Suite *s = suite_create("output");
	TCase *tc = tcase_create("atomic");

	tcase_add_test(tc, commit_replaces_atomically);
	tcase_add_test(tc, abort_keeps_old_file);
	tcase_add_test(tc, symlink_target_is_replaced_not_written_through);
	tcase_add_test(tc, missing_directory_fails_cleanly);
	tcase_add_test(tc, device_full_is_reported);
	tcase_add_test(tc, unnamed_temporary_file);
	tcase_add_test(tc, named_temporary_file);
	tcase_add_test(tc, stale_named_files_cleaned);
	tcase_add_test(tc, stale_files_cleaned_also_when_unnamed);
	suite_add_tcase(s, tc);
	return s;
}
