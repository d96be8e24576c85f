"""Load a frontmatter YAML block the way python-frontmatter does, keeping errors and lines.

Part of the parser.  python-frontmatter raises on broken YAML; vaultbot needs the error
and the line it is on (``invalid-frontmatter`` names both) and must go on with the rest
of the vault, so the block is loaded here with python-frontmatter's own YAML handler.
"""

from __future__ import annotations

from typing import Any


def load_block(block: str) -> tuple[dict[str, Any] | None, str | None, int | None]:
    """Load a frontmatter block as python-frontmatter does; return data or error and line.

    The line is 0-based within the block.  Besides YAML errors, a well-formed value can
    fail to construct (``date: 2026-13-45`` raises ValueError); that is an error too,
    placed on the value that failed, never a crash of the whole run.
    """
    import yaml
    from frontmatter.default_handlers import YAMLHandler

    try:
        data = YAMLHandler().load(block)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context = getattr(exc, "context", None)
        message = f"{context}: {problem}" if context else str(problem)
        return None, message, mark.line if mark is not None else 0
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        return None, f"invalid value: {exc}", _failing_value_line(block)
    if data is None:
        return {}, None, None
    if not isinstance(data, dict):
        return None, f"frontmatter is a {type(data).__name__}, not a mapping of keys", 0
    return data, None, None


def _failing_value_line(block: str) -> int:
    """Return the 0-based line of the first scalar of ``block`` that cannot be constructed."""
    import yaml
    from frontmatter.default_handlers import SafeLoader

    loader = SafeLoader(block)
    try:
        pending = [loader.get_single_node()]
        while pending:
            node = pending.pop()
            if isinstance(node, yaml.ScalarNode):
                try:
                    loader.construct_object(node)
                except Exception:  # noqa: BLE001 - any failure here is the one we look for
                    return int(node.start_mark.line)
            elif isinstance(node, yaml.SequenceNode):
                pending.extend(reversed(node.value))  # a stack, visited in document order
            elif isinstance(node, yaml.MappingNode):
                pending.extend(reversed([item for pair in node.value for item in pair]))
    except (yaml.YAMLError, RecursionError):
        pass
    finally:
        loader.dispose()
    return 0
