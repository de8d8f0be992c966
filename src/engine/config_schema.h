/*
 * Private to the configuration loader: the schema walk (config_schema.c)
 * as seen by the loader (config.c).
 */
#ifndef CT_ENGINE_CONFIG_SCHEMA_H
#define CT_ENGINE_CONFIG_SCHEMA_H

#include "engine/config_int.h"

/* Read every known key of the document root into cfg (defaults already
 * set), reporting each problem through w. */
void ct__cfg_walk_root(ct__cfg_walk_t *w, yaml_node_t *root, ct_config_t *cfg);
/* Loop protection and duplicate names / client ids across followers. */
void ct__cfg_cross_check(ct__cfg_walk_t *w, const ct_config_t *cfg);

#endif /* CT_ENGINE_CONFIG_SCHEMA_H */
