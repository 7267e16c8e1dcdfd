"""A dynamic resource that owns one text file: the smallest real create/read/update/delete."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, ResourceProvider, UpdateResult


class TextFileProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        path = Path(props["path"])
        path.write_text(props["content"])
        return CreateResult(id_=str(path), outs={"path": str(path), "content": props["content"]})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changes = [key for key in ("path", "content") if olds.get(key) != news.get(key)]
        return DiffResult(changes=bool(changes), replaces=[k for k in changes if k == "path"])

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        Path(news["path"]).write_text(news["content"])
        return UpdateResult(outs={"path": news["path"], "content": news["content"]})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        path = Path(id_)
        if not path.exists():
            return ReadResult(id_="", outs={})
        outs = {"path": id_, "content": path.read_text()}
        return ReadResult(id_=id_, outs=outs, inputs=outs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        Path(id_).unlink(missing_ok=True)


class TextFile(Resource, module="tiny", name="TextFile"):
    path: pulumi.Output[str]
    content: pulumi.Output[str]

    def __init__(self, name: str, path: str, content: str) -> None:
        super().__init__(TextFileProvider(), name, {"path": path, "content": content})
