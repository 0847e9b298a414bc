"""Queries whose SQL never changes but for the ids they ask, compiled once (issue 24).

Django builds and compiles a query's SQL on every request; for a small query of many columns that
costs more CPU than running it (the SQL of her pairs with both partners: some 40 columns). A member's
overview asks the same two queries on every visit, for another member id each time. `Precompiled`
compiles such a query once per database connection and then only runs it with her ids, turning the
rows into model instances (with their select_related objects) the way Django's own iterator does.

Only for querysets whose every parameter is either fixed or one of the ids passed in: the ids stand in
the SQL's parameters as themselves (plain integers), which is how `Precompiled` finds where they go.
Annotations come along (their parameters fixed too: never today's date); extra() columns are refused.
"""

import weakref

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.query import get_related_populators

# Values no id ever has: where they appear among the compiled parameters, the caller's ids go.
PLACEHOLDERS = (-731_902_001, -731_902_002, -731_902_003)


class Precompiled:
    """`Precompiled(build)`, `build(*ids) -> QuerySet`; calling it with the ids returns the queryset's
    objects as a list, with the SQL compiled once per connection (`build` is called with placeholders)."""

    def __init__(self, build, *, using=DEFAULT_DB_ALIAS):
        self.build = build
        self.using = using

    def _compiled(self, connection):
        # Kept on the connection object: one per thread, and its converters are that connection's. Weakly: a
        # query its owner let go of (the cockpit's lists of an earlier day) is let go of here too.
        cache = connection.__dict__.setdefault("_precompiled_queries", weakref.WeakKeyDictionary())
        compiled = cache.get(self)
        if compiled is None:
            placeholders = PLACEHOLDERS[: self.build.__code__.co_argcount]
            compiler = self.build(*placeholders).query.get_compiler(connection=connection)
            sql, params = compiler.as_sql()
            slots = tuple(placeholders.index(p) if isinstance(p, int) and p in placeholders else None for p in params)
            if {slot for slot in slots if slot is not None} != set(range(len(placeholders))):
                raise ValueError("Every id must appear among the query's parameters as itself.")
            if compiler.query.extra_select:
                raise ValueError("Precompiled builds model instances and their annotations only: no extra().")
            select, klass_info = compiler.select, compiler.klass_info
            fields = klass_info["select_fields"]
            start, end = fields[0], fields[-1] + 1
            compiled = cache[self] = {
                "sql": sql,
                "params": tuple(params),
                "slots": slots,
                "compiler": compiler,
                "model": klass_info["model"],
                "start": start,
                "end": end,
                "init_list": [column[0].target.attname for column in select[start:end]],
                # As Django's ModelIterable: each annotation set on the object from its column.
                "annotations": tuple(compiler.annotation_col_map.items()),
                "converters": compiler.get_converters([column[0] for column in select]),
                # Stateless between rows (Django makes them once per query): made once here.
                "populators": get_related_populators(klass_info, select, self.using),
            }
        return compiled

    def __call__(self, *ids) -> list:
        connection = connections[self.using]
        compiled = self._compiled(connection)
        slots = zip(compiled["params"], compiled["slots"], strict=True)
        params = [ids[slot] if slot is not None else value for value, slot in slots]
        with connection.cursor() as cursor:
            cursor.execute(compiled["sql"], params)
            rows = cursor.fetchall()
        compiler = compiled["compiler"]
        if compiled["converters"]:
            rows = list(compiler.apply_converters(rows, compiled["converters"]))
        # As Django's ModelIterable: the model's columns, then each select_related object from its own.
        model, start, end, init_list = compiled["model"], compiled["start"], compiled["end"], compiled["init_list"]
        populators, annotations = compiled["populators"], compiled["annotations"]
        objects = []
        for row in rows:
            obj = model.from_db(self.using, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in annotations:
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects
