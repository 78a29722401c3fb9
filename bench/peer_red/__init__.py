"""Red-DiscordBot 3.5 (its Trivia cog) as the peer: its venv, its instance, its list.

Red is installed with pip into a venv of its own under ``bench/.cache/`` (git-ignored)
the first time a run needs it, never by ``--quick`` (CI must not depend on installing
it). ``launch.py`` runs there and points Red's discord.py at the loopback Discord.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from bench.common import CACHE, say

RED_REQUIREMENT = "red-discordbot==3.5.24"
VENV = CACHE / "red-venv-3.5.24"
LAUNCHER = Path(__file__).resolve().with_name("launch.py")
INSTANCE = "convquiz-bench"
# The benchmark's trivia list (Red's Trivia settings stay at their defaults: what a
# server that installs it gets).
LIST_NAME = "convbench"

__all__ = [
    "INSTANCE",
    "LAUNCHER",
    "LIST_NAME",
    "RED_REQUIREMENT",
    "VENV",
    "ensure_venv",
    "python",
    "ready",
    "red_env",
    "setup_instance",
    "write_trivia_list",
]


def python() -> Path:
    return VENV / "bin" / "python"


def ready() -> bool:
    """Whether the venv is installed already (``--quick`` runs the peer only then)."""
    return (VENV / ".installed").exists() and python().exists()


def ensure_venv() -> Path:
    """The venv's python, creating the venv and installing Red first if needed."""
    if ready():
        return python()
    say(f"   installing {RED_REQUIREMENT} into {VENV.relative_to(CACHE.parent.parent)} (once)")
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
    pip = [str(python()), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    installed = subprocess.run(
        [*pip, RED_REQUIREMENT], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    if installed.returncode != 0:  # pip's warnings are noise unless it failed
        raise RuntimeError(f"pip install {RED_REQUIREMENT} failed:\n{installed.stderr[-2000:]}")
    (VENV / ".installed").write_text(RED_REQUIREMENT + "\n")
    return python()


def red_env(folder: Path, api_base: str, gateway_url: str) -> dict[str, str]:
    """Environment for Red's processes: its config file in ``folder`` (not the user's
    home), discord.py pointed at the loopback Discord, no colours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(
        XDG_CONFIG_HOME=str(folder / "config"),
        XDG_DATA_HOME=str(folder / "share"),
        PEER_API_BASE=api_base,
        PEER_GATEWAY_URL=gateway_url,
        NO_COLOR="1",
        TERM="dumb",
        PATH=f"{VENV / 'bin'}:{env.get('PATH', '')}",
    )
    return env


def setup_instance(folder: Path, env: dict[str, str]) -> Path:
    """``redbot-setup`` without prompts: a JSON-backed instance whose data is in
    ``folder``; returns the data path."""
    data = folder / "red-data"
    subprocess.run(
        [
            str(VENV / "bin" / "redbot-setup"),
            "--no-prompt",
            "--instance-name",
            INSTANCE,
            "--data-path",
            str(data),
            "--backend",
            "json",
        ],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    return data


def write_trivia_list(data: Path, questions: list[tuple[str, str]]) -> None:
    """A custom list (Red's trivia YAML: question → accepted answers) where Red's Trivia
    cog looks for uploaded ones: ``cogs/Trivia/`` in the instance's data."""
    folder = data / "cogs" / "Trivia"
    folder.mkdir(parents=True, exist_ok=True)
    body: dict[str, object] = {"AUTHOR": "convquiz bench"}
    body.update({prompt: [answer] for prompt, answer in questions})
    (folder / f"{LIST_NAME}.yaml").write_text(yaml.safe_dump(body, allow_unicode=True))


def command(token: str, owner_id: int) -> list[str]:
    """Red's command line: the instance, no prompts, prefix ``!``, Trivia loaded."""
    return [
        str(python()),
        str(LAUNCHER),
        INSTANCE,
        "--no-prompt",
        "--token",
        token,
        "--prefix",
        "!",
        "--owner",
        str(owner_id),
        "--load-cogs",
        "trivia",
    ]
