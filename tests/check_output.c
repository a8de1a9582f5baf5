/* tests/check_output.c: atomic output files. */
#include <sys/stat.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include <tally/output.h>

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
	/* Until commit the old file is still there, beside the temporary. */
	ck_assert_str_eq(slurp(path), "old");
	ck_assert_int_eq(entries(), 2);
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
	suite_add_tcase(s, tc);
	return s;
}
