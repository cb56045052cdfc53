"""The five built-in SOP definitions (YAML package data), written from the seed documents.

Read them through `jagaweb.sop.definitions.builtin_definitions()`; an institution adapts one with
`jagaweb sop copy NAME DEST.yaml`. Each file's comments explain how its performers were inferred.
"""
