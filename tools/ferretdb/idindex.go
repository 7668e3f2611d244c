package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the driver FerretDB itself uses; registered as "sqlite"
)

// FerretDB v1.24.2 looks documents up by _id with the SQL expression
// `_ferretdb_sjson->'$._id'`, but creates its _id index on
// `_ferretdb_sjson->"_id"`. SQLite cannot match the two, so every lookup,
// update and delete by _id scans the whole table, parsing each row's JSON:
// the cost of a single-document write grows with the collection (measured:
// ~25 ms at 1,000 jobs). This keeper adds, to every collection table, a unique
// index on the exact expression the lookups use. FerretDB does not know about
// it (listIndexes does not show it) and drops it with the table.
const idIndexSuffix = "__ferretdb_id_lookup"

type idIndexKeeper struct {
	dir    string
	logger *slog.Logger
	dbs    map[string]*sql.DB
	inodes map[string]uint64
}

func keepIDIndexes(ctx context.Context, dir string, logger *slog.Logger) {
	k := &idIndexKeeper{dir: dir, logger: logger, dbs: map[string]*sql.DB{}, inodes: map[string]uint64{}}
	defer k.closeAll()

	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()

	for {
		k.pass(ctx)

		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (k *idIndexKeeper) pass(ctx context.Context) {
	files, err := filepath.Glob(filepath.Join(k.dir, "*.sqlite"))
	if err != nil {
		return
	}

	seen := map[string]bool{}
	for _, f := range files {
		seen[f] = true
		db, err := k.open(f)
		if err != nil {
			continue
		}
		if err := ensureIDIndexes(ctx, db); err != nil {
			k.logger.Debug("id index keeper", "file", f, "error", err)
		}
	}

	for f, db := range k.dbs {
		if !seen[f] {
			_ = db.Close()
			delete(k.dbs, f)
			delete(k.inodes, f)
		}
	}
}

// open returns a handle on the database file, reopened when the file was
// replaced (a dropped and recreated database).
func (k *idIndexKeeper) open(f string) (*sql.DB, error) {
	fi, err := os.Stat(f)
	if err != nil {
		return nil, err
	}
	ino := inode(fi)

	if db, ok := k.dbs[f]; ok && k.inodes[f] == ino {
		return db, nil
	} else if ok {
		_ = db.Close()
	}

	db, err := sql.Open("sqlite", "file:"+f+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	k.dbs[f] = db
	k.inodes[f] = ino

	return db, nil
}

func (k *idIndexKeeper) closeAll() {
	for _, db := range k.dbs {
		_ = db.Close()
	}
}

func ensureIDIndexes(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `SELECT t.table_name FROM _ferretdb_collections t
		WHERE NOT EXISTS (SELECT 1 FROM sqlite_master m WHERE m.type = 'index' AND m.name = t.table_name || ?)`, idIndexSuffix)
	if err != nil {
		return err
	}

	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			_ = rows.Close()
			return err
		}
		tables = append(tables, name)
	}
	_ = rows.Close()

	for _, table := range tables {
		if strings.ContainsAny(table, `"`) {
			continue
		}
		q := fmt.Sprintf(`CREATE UNIQUE INDEX IF NOT EXISTS "%s%s" ON "%s" (_ferretdb_sjson->'$._id')`, table, idIndexSuffix, table)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return err
		}
	}

	return nil
}
