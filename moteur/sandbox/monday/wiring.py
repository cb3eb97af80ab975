"""Attaching the resolvers to the served schema: one place that says which function answers which field."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema

from moteur.sandbox.monday.board_mutations import MUTATION_RESOLVERS
from moteur.sandbox.monday.fields import FIELD_RESOLVERS
from moteur.sandbox.monday.resolvers import QUERY_RESOLVERS


def _column_value_type(value: dict[str, Any], *_: Any) -> str:
    return str(value["__typename"])


def executable_schema(schema: GraphQLSchema) -> GraphQLSchema:
    """``schema`` with every resolver attached (idempotent: the schema object is shared and cached)."""
    for type_name, resolvers in {
        **FIELD_RESOLVERS,
        "Query": QUERY_RESOLVERS,
        "Mutation": MUTATION_RESOLVERS,
    }.items():
        graphql_type = schema.get_type(type_name)
        if not isinstance(graphql_type, GraphQLObjectType):
            raise TypeError(f"{type_name} is not an object type of the served schema")
        for field_name, resolver in resolvers.items():
            graphql_type.fields[field_name].resolve = resolver
    column_value = schema.get_type("ColumnValue")
    if isinstance(column_value, GraphQLInterfaceType):
        column_value.resolve_type = _column_value_type
    return schema
