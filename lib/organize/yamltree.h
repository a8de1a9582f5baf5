/*
 * lib/organize/yamltree.h: a YAML document read into a small tree with libyaml's
 * event API, refusing what a configuration file never needs: anchors,
 * aliases, tags, duplicate keys, a second document, deep nesting.
 *
 * Ownership: yaml_tree() gives the caller a tree to release with
 * ynode_free(); every string in it belongs to the tree.
 */
#ifndef TALLY_YAMLTREE_H
#define TALLY_YAMLTREE_H

#ifndef TALLY_BUILDING_LIB
#error "lib/organize/yamltree.h is private to libtally"
#endif

#include <stddef.h>

#include <tally/error.h>

#define YAML_TREE_MAX_DEPTH 8
#define YAML_TREE_LENIENT_DEPTH 64

enum ytype { Y_SCALAR, Y_SEQ, Y_MAP };

/* A YAML node; a mapping keeps keys and values alternating in kids. */
struct ynode {
	enum ytype	 type;
	long		 line, col;	/* 1-based, where the node starts */
	char		*s;		/* a scalar's text */
	int		 block;		/* a scalar in block style (| or >):
					   its text starts on the next line */
	struct ynode	**kids;
	size_t		 n;
};

/*
 * Parse len bytes of YAML into *out (NULL for an empty document).  Errors
 * carry the line, the column and libyaml's message.
 */
int	yaml_tree(const char *text, size_t len, struct ynode **out,
	    struct tally_error *err);
/*
 * The same for a file tally reads but does not own (a CI workflow):
 * anchors, tags and duplicate keys are accepted, an alias reads as an
 * empty scalar, and nesting may go 64 levels deep.
 */
int	yaml_tree_lenient(const char *text, size_t len, struct ynode **out,
	    struct tally_error *err);
void	ynode_free(struct ynode *y);

#endif /* TALLY_YAMLTREE_H */
