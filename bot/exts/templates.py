"""``!template``: server admins add, preview, list, enable, remove, export and import
their own question templates. Every template goes through ``bot.templates`` checks;
refusals quote its error, which names the field (and line)."""

from __future__ import annotations

import contextlib
import io
import logging
import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.conversation import Card
from bot.discord_cards import MESSAGE_LIMIT, clip, embed_for
from bot.storage.template_store import MIXES, TemplateStore, TooManyTemplates, UnknownTemplate
from bot.templates import Template, TemplateError, load_template, load_templates

if TYPE_CHECKING:
    from bot.app import ConvQuizBot

# The "type: ignore[arg-type]" on hybrid command decorators works around discord.py
# 2.7.1's typing of hybrid decorators on cog methods (fixed upstream after 2.7.1, in
# Rapptz/discord.py#10466); nothing else is ignored.

log = logging.getLogger(__name__)

CODE_BLOCK = re.compile(r"```(?:ya?ml)?\s*\n?(.*?)```", re.DOTALL | re.IGNORECASE)
MAX_UPLOAD_BYTES = 512_000  # a multi-template import; one template is far smaller
PREVIEW_COUNT = 5


class TemplateRefused(commands.CommandError):
    """A template failed its checks; the message is the admin-facing reason."""


class ConfirmRemoval(discord.ui.View):
    """Asks the admin who typed ``!template remove`` to confirm; nobody else can click."""

    def __init__(self, author_id: int) -> None:
        super().__init__(timeout=60)
        self.author_id = author_id
        self.confirmed: bool | None = None

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if interaction.user.id != self.author_id:
            await interaction.response.send_message(
                "Only the admin who asked can confirm this.", ephemeral=True
            )
            return False
        return True

    @discord.ui.button(label="Remove", style=discord.ButtonStyle.danger, custom_id="cq:tpl:yes")
    async def yes(self, interaction: discord.Interaction[Any], _: discord.ui.Button[Any]) -> None:
        self.confirmed = True
        await interaction.response.edit_message(view=None)
        self.stop()

    @discord.ui.button(label="Keep", style=discord.ButtonStyle.secondary, custom_id="cq:tpl:no")
    async def no(self, interaction: discord.Interaction[Any], _: discord.ui.Button[Any]) -> None:
        self.confirmed = False
        await interaction.response.edit_message(content="Kept.", view=None)
        self.stop()


def _yaml_from(text: str) -> str:
    match = CODE_BLOCK.search(text)
    return match.group(1) if match else text


def _preview_card(template: Template, saved: str = "") -> Card:
    fields = []
    for question in template.preview(PREVIEW_COUNT):
        value = f"{question.prompt}\n**Answer:** {question.answer_text}"
        if question.choices:
            options = " · ".join(f"{chr(65 + i)}) {c}" for i, c in enumerate(question.choices))
            value = f"{question.prompt}\n{options}\n**Answer:** {question.answer_text}"
        fields.append((f"{question.code}", value))
    title = f"Template {template.name} · {template.kind} · difficulty {template.difficulty}"
    return Card(
        title=title + saved,
        fields=tuple(fields),
        footer="Sampled variants (nothing is saved by a preview)" if not saved else "",
        kind="info",
    )


class TemplatesCog(commands.Cog):
    def __init__(self, bot: ConvQuizBot, store: TemplateStore) -> None:
        self.bot = bot
        self.store = store

    async def cog_check(self, ctx: commands.Context[ConvQuizBot]) -> bool:  # type: ignore[override]
        if ctx.guild is None:
            raise commands.NoPrivateMessage()
        permissions = getattr(ctx.author, "guild_permissions", None)
        if permissions and permissions.manage_guild:
            return True
        config = await self.store.config(ctx.guild.id)
        roles = {role.id for role in getattr(ctx.author, "roles", [])}
        if config.editor_role_id is not None and config.editor_role_id in roles:
            return True
        raise commands.MissingPermissions(["manage_guild"])

    async def _source(
        self, ctx: commands.Context[ConvQuizBot], file: discord.Attachment | None, text: str
    ) -> str:
        """The YAML of an attached file, or of a code block in the message."""
        attachment = file or (ctx.message.attachments[0] if ctx.message.attachments else None)
        if attachment is not None:
            if attachment.size > MAX_UPLOAD_BYTES:
                raise TemplateRefused(f"the file is too large (over {MAX_UPLOAD_BYTES:,} bytes)")
            data = await attachment.read()
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError:
                raise TemplateRefused("the file is not UTF-8 text") from None
        source = _yaml_from(text)
        if not source.strip():
            raise TemplateRefused(
                "put the template's YAML in a ```yaml code block``` after the command, "
                "or attach a .yaml file"
            )
        return source

    def _load(self, source: str) -> Template:
        try:
            return load_template(source)
        except TemplateError as error:
            raise TemplateRefused(str(error)) from None

    @commands.hybrid_group(  # type: ignore[arg-type]
        name="template",
        fallback="list",
        invoke_without_command=True,
        description="This server's question templates",
    )
    @commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    async def template(self, ctx: commands.Context[ConvQuizBot]) -> None:
        assert ctx.guild is not None
        stored = await self.store.all(ctx.guild.id)
        lines = [
            f"`{t.name}` v{t.version} · {t.kind} · difficulty {t.difficulty}"
            + ("" if t.enabled else " · disabled")
            for t in stored
        ]
        config = await self.store.config(ctx.guild.id)
        body = "\n".join(lines) or "No templates yet: `!template add` with a YAML code block."
        card = Card(
            title=f"Templates ({len(stored)})",
            body=body,
            footer=f"!convquiz draws from: {config.mix}",
            kind="info",
        )
        await ctx.send(embed=embed_for(card))

    @template.command(name="add", description="Add a template (or a new version of one)")  # type: ignore[arg-type]
    @app_commands.describe(file="a .yaml file", text="or the YAML itself")
    async def add(
        self,
        ctx: commands.Context[ConvQuizBot],
        file: discord.Attachment | None = None,
        *,
        text: str = "",
    ) -> None:
        assert ctx.guild is not None
        template = self._load(await self._source(ctx, file, text))
        try:
            saved = await self.store.save(
                ctx.guild.id, template, ctx.author.id, self.bot.service.clock()
            )
        except TooManyTemplates:
            raise TemplateRefused(
                "this server already has the most templates allowed (100)"
            ) from None
        words = {"created": "added", "updated": "updated to", "unchanged": "unchanged at"}
        note = f" · {words[saved.change]} v{saved.stored.version}"
        await ctx.send(embed=embed_for(_preview_card(template, note)))

    @template.command(name="preview", description="Show sampled variants; saves nothing")  # type: ignore[arg-type]
    @app_commands.describe(file="a .yaml file", text="the YAML, or the name of a saved template")
    async def preview(
        self,
        ctx: commands.Context[ConvQuizBot],
        file: discord.Attachment | None = None,
        *,
        text: str = "",
    ) -> None:
        assert ctx.guild is not None
        name = text.strip()
        if file is None and not ctx.message.attachments and re.fullmatch(r"[a-z0-9-]{1,40}", name):
            template = await self._saved(ctx.guild.id, name)
        else:
            template = self._load(await self._source(ctx, file, text))
        await ctx.send(embed=embed_for(_preview_card(template)))

    async def _saved(self, guild_id: int, name: str) -> Template:
        try:
            return (await self.store.get(guild_id, name))[1]
        except UnknownTemplate:
            raise TemplateRefused(f"there is no template named {name!r}") from None

    @template.command(name="show", description="Show a template's YAML")  # type: ignore[arg-type]
    async def show(self, ctx: commands.Context[ConvQuizBot], name: str) -> None:
        assert ctx.guild is not None
        template = await self._saved(ctx.guild.id, name)
        source = template.to_yaml().replace("```", "`\u200b``")
        await ctx.send(clip(f"**{name}** v{template.version}\n```yaml\n{source}```", MESSAGE_LIMIT))

    @template.command(name="enable", description="Let !convquiz ask this template")  # type: ignore[arg-type]
    async def enable(self, ctx: commands.Context[ConvQuizBot], name: str) -> None:
        await self._set_enabled(ctx, name, True)

    @template.command(name="disable", description="Stop asking this template")  # type: ignore[arg-type]
    async def disable(self, ctx: commands.Context[ConvQuizBot], name: str) -> None:
        await self._set_enabled(ctx, name, False)

    async def _set_enabled(self, ctx: commands.Context[ConvQuizBot], name: str, on: bool) -> None:
        assert ctx.guild is not None
        try:
            await self.store.set_enabled(ctx.guild.id, name, on)
        except UnknownTemplate:
            raise TemplateRefused(f"there is no template named {name!r}") from None
        await ctx.send(f"Template `{name}` {'enabled' if on else 'disabled'}.")

    @template.command(name="remove", description="Delete a template (asks to confirm)")  # type: ignore[arg-type]
    async def remove(self, ctx: commands.Context[ConvQuizBot], name: str) -> None:
        assert ctx.guild is not None
        await self._saved(ctx.guild.id, name)
        view = ConfirmRemoval(ctx.author.id)
        await ctx.send(f"Remove the template `{name}` and all its versions?", view=view)
        await view.wait()
        if view.confirmed:
            # Removed meanwhile by someone else: the outcome the admin asked for anyway.
            with contextlib.suppress(UnknownTemplate):
                await self.store.remove(ctx.guild.id, name)
            await ctx.send(f"Template `{name}` removed.")

    @template.command(name="export", description="Download templates as YAML")  # type: ignore[arg-type]
    async def export(self, ctx: commands.Context[ConvQuizBot], name: str | None = None) -> None:
        assert ctx.guild is not None
        names = [name] if name else [t.name for t in await self.store.all(ctx.guild.id)]
        if not names:
            raise TemplateRefused("this server has no templates to export")
        documents = [(await self._saved(ctx.guild.id, n)).to_yaml() for n in names]
        data = "---\n".join(documents).encode("utf-8")
        filename = f"{name or 'templates'}.yaml"
        await ctx.send(
            f"{len(documents)} template(s).", file=discord.File(io.BytesIO(data), filename=filename)
        )

    @template.command(name="import", description="Add every template of a YAML file")  # type: ignore[arg-type]
    @app_commands.describe(file="a .yaml file with one or more templates (--- between them)")
    async def import_(
        self,
        ctx: commands.Context[ConvQuizBot],
        file: discord.Attachment | None = None,
        *,
        text: str = "",
    ) -> None:
        assert ctx.guild is not None
        source = await self._source(ctx, file, text)
        try:
            results = load_templates(source)
        except TemplateError as error:
            raise TemplateRefused(str(error)) from None
        lines = []
        for index, result in enumerate(results, start=1):
            if isinstance(result, TemplateError):
                lines.append(f"❌ #{index}: {result}")
                continue
            try:
                saved = await self.store.save(
                    ctx.guild.id, result, ctx.author.id, self.bot.service.clock()
                )
            except TooManyTemplates:
                lines.append(f"❌ #{index} `{result.name}`: the server has 100 templates")
                continue
            lines.append(f"✅ `{result.name}` v{saved.stored.version} ({saved.change})")
        await ctx.send(clip("\n".join(lines) or "The file holds no templates.", MESSAGE_LIMIT))

    @template.command(name="mix", description="What a bare !convquiz asks")  # type: ignore[arg-type]
    @app_commands.choices(mix=[app_commands.Choice(name=m, value=m) for m in MIXES])
    async def mix(self, ctx: commands.Context[ConvQuizBot], mix: str) -> None:
        assert ctx.guild is not None
        if mix not in MIXES:
            raise commands.BadArgument("the mix must be both, builtin or templates")
        await self.store.update_config(ctx.guild.id, mix=mix)
        await ctx.send(f"`!convquiz` now draws from: {mix}.")

    @template.command(name="editors", description="A role that may edit templates too")  # type: ignore[arg-type]
    async def editors(
        self, ctx: commands.Context[ConvQuizBot], role: discord.Role | None = None
    ) -> None:
        assert ctx.guild is not None
        permissions = getattr(ctx.author, "guild_permissions", None)
        if not (permissions and permissions.manage_guild):
            raise commands.MissingPermissions(["manage_guild"])
        await self.store.update_config(ctx.guild.id, editor_role_id=role.id if role else None)
        await ctx.send(f"Template editors: {role.mention if role else 'Manage Server only'}.")


async def setup(bot: ConvQuizBot) -> None:
    store = bot.service.templates
    if store is None:
        raise RuntimeError("the templates extension needs a service with a template store")
    await bot.add_cog(TemplatesCog(bot, store))
