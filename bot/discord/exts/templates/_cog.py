"""``!template``: server admins add, preview, list, enable, remove, export and import
their own question templates. The cog reads Discord input (code blocks, attachments, the
removal buttons) and renders replies; ``bot.quiz.template_admin`` decides who may, checks
every template and keeps the per-guild limit. Refusals quote the template checker's
error, which names the field (and line)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.embeds import MESSAGE_LIMIT, clip, embed_for
from bot.discord.exts.templates._source import template_source
from bot.discord.exts.templates._views import ConfirmRemoval
from bot.discord.language import Refusal, choice, guild_language, text
from bot.engine import names
from bot.i18n.texts import t
from bot.present.template_cards import import_summary, listing_card, preview_card
from bot.quiz.service import NotAllowed
from bot.quiz.template_admin import MIXES, TemplateAdmin

if TYPE_CHECKING:
    from bot.discord.bot import ConvQuizBot

# The "type: ignore[arg-type]" on hybrid command decorators works around discord.py
# 2.7.1's typing of hybrid decorators on cog methods (fixed upstream after 2.7.1, in
# Rapptz/discord.py#10466); nothing else is ignored.


def _is_manager(member: object) -> bool:
    permissions = getattr(member, "guild_permissions", None)
    return bool(permissions and permissions.manage_guild)


class TemplatesCog(commands.Cog):
    def __init__(self, bot: ConvQuizBot, admin: TemplateAdmin) -> None:
        self.bot = bot
        self.admin = admin

    async def cog_check(self, ctx: commands.Context[ConvQuizBot]) -> bool:  # type: ignore[override]
        if ctx.guild is None:
            raise commands.NoPrivateMessage()
        roles = {role.id for role in getattr(ctx.author, "roles", [])}
        try:
            await self.admin.check_editor(
                ctx.guild.id, is_manager=_is_manager(ctx.author), role_ids=roles
            )
        except NotAllowed:
            # discord.py hands only CommandErrors raised by checks to the error handler.
            raise commands.MissingPermissions(["manage_guild"]) from None
        return True

    @commands.hybrid_group(  # type: ignore[arg-type]
        name="template",
        fallback="list",
        invoke_without_command=True,
        description=text("cmd.template"),
    )
    @commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    async def template(self, ctx: commands.Context[ConvQuizBot]) -> None:
        assert ctx.guild is not None
        lang = await guild_language(self.bot, ctx.guild)
        stored, mix = await self.admin.listing(ctx.guild.id)
        await ctx.send(embed=embed_for(listing_card(stored, mix, lang)))

    @template.command(name="add", description=text("cmd.template.add"))  # type: ignore[arg-type]
    @app_commands.describe(file=text("cmd.template.file"), text=text("cmd.template.text"))
    async def add(
        self,
        ctx: commands.Context[ConvQuizBot],
        file: discord.Attachment | None = None,
        *,
        text: str = "",
    ) -> None:
        assert ctx.guild is not None
        source = await template_source(ctx.message, file, text)
        template, saved = await self.admin.add(ctx.guild.id, source, ctx.author.id)
        lang = await guild_language(self.bot, ctx.guild)
        note = t(f"tpl.change.{saved.change}", lang, version=saved.stored.version)
        await ctx.send(embed=embed_for(preview_card(template, lang, note)))

    @template.command(name="preview", description=text("cmd.template.preview"))  # type: ignore[arg-type]
    @app_commands.describe(file=text("cmd.template.file"), text=text("cmd.template.preview.text"))
    async def preview(
        self,
        ctx: commands.Context[ConvQuizBot],
        file: discord.Attachment | None = None,
        *,
        text: str = "",
    ) -> None:
        assert ctx.guild is not None
        name = text.strip()
        if file is None and not ctx.message.attachments and names.is_template_name(name):
            template = await self.admin.saved(ctx.guild.id, name)
        else:
            template = await self.admin.load_for(
                ctx.guild.id, await template_source(ctx.message, file, text)
            )
        lang = await guild_language(self.bot, ctx.guild)
        await ctx.send(embed=embed_for(preview_card(template, lang)))

    @template.command(name="show", description=text("cmd.template.show"))  # type: ignore[arg-type]
    @app_commands.describe(name=text("cmd.template.name"))
    async def show(self, ctx: commands.Context[ConvQuizBot], name: str) -> None:
        assert ctx.guild is not None
        template = await self.admin.saved(ctx.guild.id, name)
        source = template.to_yaml().replace("```", "`\u200b``")
        await ctx.send(clip(f"**{name}** v{template.version}\n```yaml\n{source}```", MESSAGE_LIMIT))

    @template.command(name="enable", description=text("cmd.template.enable"))  # type: ignore[arg-type]
    @app_commands.describe(name=text("cmd.template.name"))
    async def enable(self, ctx: commands.Context[ConvQuizBot], name: str) -> None:
        await self._set_enabled(ctx, name, True)

    @template.command(name="disable", description=text("cmd.template.disable"))  # type: ignore[arg-type]
    @app_commands.describe(name=text("cmd.template.name"))
    async def disable(self, ctx: commands.Context[ConvQuizBot], name: str) -> None:
        await self._set_enabled(ctx, name, False)

    async def _set_enabled(self, ctx: commands.Context[ConvQuizBot], name: str, on: bool) -> None:
        assert ctx.guild is not None
        await self.admin.set_enabled(ctx.guild.id, name, on)
        lang = await guild_language(self.bot, ctx.guild)
        await ctx.send(t("tpl.enabled" if on else "tpl.disabled", lang, name=name))

    @template.command(name="remove", description=text("cmd.template.remove"))  # type: ignore[arg-type]
    @app_commands.describe(name=text("cmd.template.name"))
    async def remove(self, ctx: commands.Context[ConvQuizBot], name: str) -> None:
        assert ctx.guild is not None
        await self.admin.require(ctx.guild.id, name)
        lang = await guild_language(self.bot, ctx.guild)
        view = ConfirmRemoval(ctx.author.id, lang)
        await ctx.send(t("tpl.remove.confirm", lang, name=name), view=view)
        await view.wait()
        if view.confirmed:
            await self.admin.remove(ctx.guild.id, name)
            await ctx.send(t("tpl.removed", lang, name=name))

    @template.command(name="export", description=text("cmd.template.export"))  # type: ignore[arg-type]
    @app_commands.describe(name=text("cmd.template.export.name"))
    async def export(self, ctx: commands.Context[ConvQuizBot], name: str | None = None) -> None:
        assert ctx.guild is not None
        documents = await self.admin.export(ctx.guild.id, name)
        data = "---\n".join(documents).encode("utf-8")
        filename = f"{name or 'templates'}.yaml"
        lang = await guild_language(self.bot, ctx.guild)
        await ctx.send(
            t("tpl.exported", lang, count=len(documents)),
            file=discord.File(io.BytesIO(data), filename=filename),
        )

    @template.command(name="import", description=text("cmd.template.import"))  # type: ignore[arg-type]
    @app_commands.describe(file=text("cmd.template.import.file"), text=text("cmd.template.text"))
    async def import_(
        self,
        ctx: commands.Context[ConvQuizBot],
        file: discord.Attachment | None = None,
        *,
        text: str = "",
    ) -> None:
        assert ctx.guild is not None
        source = await template_source(ctx.message, file, text)
        imported = await self.admin.import_(ctx.guild.id, source, ctx.author.id)
        lang = await guild_language(self.bot, ctx.guild)
        summary = import_summary(imported, lang, self.admin.limit)
        await ctx.send(clip(summary, MESSAGE_LIMIT))

    @template.command(name="mix", description=text("cmd.template.mix"))  # type: ignore[arg-type]
    @app_commands.describe(mix=text("cmd.template.mix.mix"))
    @app_commands.choices(mix=[choice(f"tpl.mix.{m}", m) for m in MIXES])
    async def mix(self, ctx: commands.Context[ConvQuizBot], mix: str) -> None:
        assert ctx.guild is not None
        if mix not in MIXES:
            raise Refusal("error.mix")
        await self.admin.set_mix(ctx.guild.id, mix)
        lang = await guild_language(self.bot, ctx.guild)
        await ctx.send(t("tpl.mix.set", lang, mix=t(f"tpl.mix.{mix}", lang)))

    @template.command(name="links", description=text("cmd.template.links"))  # type: ignore[arg-type]
    @app_commands.describe(setting=text("cmd.template.links.setting"))
    @app_commands.choices(setting=[choice(f"tpl.links.{s}", s) for s in ("on", "off")])
    async def links(self, ctx: commands.Context[ConvQuizBot], setting: str) -> None:
        assert ctx.guild is not None
        if setting not in ("on", "off"):
            raise Refusal("error.links")
        await self.admin.set_links(
            ctx.guild.id, setting == "on", is_manager=_is_manager(ctx.author)
        )
        lang = await guild_language(self.bot, ctx.guild)
        await ctx.send(t(f"tpl.links.set.{setting}", lang))

    @template.command(name="editors", description=text("cmd.template.editors"))  # type: ignore[arg-type]
    @app_commands.describe(role=text("cmd.template.editors.role"))
    async def editors(
        self, ctx: commands.Context[ConvQuizBot], role: discord.Role | None = None
    ) -> None:
        assert ctx.guild is not None
        role_id = role.id if role else None
        await self.admin.set_editor_role(ctx.guild.id, role_id, is_manager=_is_manager(ctx.author))
        lang = await guild_language(self.bot, ctx.guild)
        who = role.mention if role else t("tpl.editors.managers", lang)
        await ctx.send(t("tpl.editors", lang, who=who))
