"""Bulk writes for generated data: Core inserts in batches, COPY on PostgreSQL.

Every value goes through its column's type first (``ExactDecimal`` refuses floats and extra
decimals and, on SQLite, scales money to an integer; enums become their codes), so a bulk row is
stored exactly as the ORM would store it. No per-row round trip: SQLite gets one ``executemany``
per batch, PostgreSQL one ``COPY … FROM STDIN`` per batch.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

BATCH_SIZE = 5000


class BulkWriter:
    def __init__(self, connection: sa.Connection, batch_size: int = BATCH_SIZE):
        self.connection = connection
        self.dialect = connection.dialect
        self.batch_size = batch_size
        self.buffers: dict[str, list[dict]] = defaultdict(list)
        self.tables: dict[str, sa.Table] = {}
        self.counts: dict[str, int] = defaultdict(int)
        self._copy_plans: dict[str, tuple[str, list]] = {}
        self._analyzed: dict[str, int] = defaultdict(int)  # a table's rows at its last ANALYZE
        # The tables foreign keys point at: their statistics choose how each child row is checked.
        self._referenced: set[str] | None = None

    def add(self, table: sa.Table, row: dict) -> None:
        """Buffer a row. A parent row must be added before its children: when a batch is full,
        every table is written in the order its first row came, so parents land first."""
        buffer = self.buffers[table.name]
        self.tables[table.name] = table
        buffer.append(row)
        if len(buffer) >= self.batch_size:
            self.flush()

    def flush(self, *tables: sa.Table) -> None:
        """Write what is buffered for ``tables``, or for all in the order they were first seen."""
        names = [t.name for t in tables] if tables else list(self.buffers)
        for name in names:
            buffer = self.buffers.get(name)
            if buffer:
                self._write(self.tables[name], buffer)
                buffer.clear()

    def _write(self, table: sa.Table, rows: list[dict]) -> None:
        self.counts[table.name] += len(rows)
        if self.dialect.name == "postgresql":
            self._copy(table, rows)
            self._keep_statistics(table)
        else:
            # insert(table) with dict rows binds each value through the column's type.
            self.connection.execute(table.insert(), rows)

    def _keep_statistics(self, table: sa.Table) -> None:
        """ANALYZE a table that foreign keys point at when first written and each time its rows
        have doubled (in the load's own transaction, which sees them). A foreign key's check is a
        plan cached at the first child row: made while the migrations' statistics said
        ``projects`` was empty, it read the whole table for each of the 3.6 million monthly
        reports and other children (a sequential scan of a growing table: quadratic, most of an
        hour at 100,000 projects). New statistics invalidate the cached plan, and the checks look
        each parent up by its primary key once the table is a few pages long."""
        if self._referenced is None:
            self._referenced = {key.column.table.name for each in table.metadata.tables.values()
                                for key in each.foreign_keys}
        if table.name not in self._referenced:
            return
        count = self.counts[table.name]
        if count >= 2 * self._analyzed[table.name]:
            self.connection.exec_driver_sql(f'ANALYZE "{table.name}"')
            self._analyzed[table.name] = count

    def _copy(self, table: sa.Table, rows: list[dict]) -> None:
        if table.name not in self._copy_plans:
            columns = list(rows[0])
            processors = []
            for name in columns:
                column_type = table.c[name].type
                processors.append(column_type.dialect_impl(self.dialect).bind_processor(self.dialect))
            statement = "COPY {} ({}) FROM STDIN".format(
                self.dialect.identifier_preparer.format_table(table),
                ", ".join(self.dialect.identifier_preparer.quote(name) for name in columns))
            self._copy_plans[table.name] = (statement, list(zip(columns, processors)))
        statement, plan = self._copy_plans[table.name]
        driver = self.connection.connection.driver_connection
        assert driver is not None  # a checked-out connection has its DBAPI connection
        cursor = driver.cursor()
        try:
            with cursor.copy(statement) as copy:
                for row in rows:
                    values = []
                    for name, processor in plan:
                        value = row[name]
                        if value is not None and processor is not None:
                            value = processor(value)
                        values.append(value)
                    copy.write_row(values)
        finally:
            cursor.close()


def next_ids(connection: sa.Connection, tables: list[sa.Table]) -> dict[str, int]:
    """The first free id of each table: generated rows carry their ids, so children can name them."""
    return {table.name: (connection.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0) + 1
            for table in tables}


def reset_sequences(connection: sa.Connection, tables: list[sa.Table]) -> None:
    """After explicit ids, PostgreSQL's sequences must continue past them (SQLite needs nothing)."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        connection.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f"GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table.name}), 1))"))
