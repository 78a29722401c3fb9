"""``!convquiz``: starting, replaying, games, stopping; typed answers come from
``TypedAnswers`` (``_typed.py``). Adapters over ``QuizService``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.embeds import embed_for, with_picture
from bot.discord.exts.quiz._games import start_game, stop_game
from bot.discord.exts.quiz._hints import add_hint_button
from bot.discord.exts.quiz._modal import typed_answer_view
from bot.discord.exts.quiz._typed import TypedAnswers
from bot.discord.exts.quiz._views import answer_view
from bot.discord.language import choice, guild_language, reply_language, text
from bot.discord.pictures import picture_for
from bot.engine import bank
from bot.errors import StorageError
from bot.i18n.texts import t
from bot.present.cards import parse_quiz_args, question_card
from bot.records import OpenQuestion

# The "type: ignore[arg-type]" on hybrid command decorators works around discord.py
# 2.7.1's typing of hybrid decorators on cog methods (fixed upstream after 2.7.1, in
# Rapptz/discord.py#10466); nothing else is ignored.

if TYPE_CHECKING:
    from bot.discord.bot import ConvQuizBot

log = logging.getLogger(__name__)

KIND_CHOICES = [choice(f"kind.{kind}", kind) for kind in bank.KINDS]
DIFFICULTY_CHOICES = [choice(f"choice.difficulty.{level}", str(level)) for level in (1, 2, 3)]


def is_moderator(member: discord.abc.User) -> bool:
    permissions = getattr(member, "guild_permissions", None)
    return bool(permissions and (permissions.manage_guild or permissions.manage_messages))


class QuizCog(TypedAnswers, commands.Cog):
    def __init__(self, bot: ConvQuizBot) -> None:
        self.bot = bot
        # Answer handlers between reading a reply and acknowledging it; a stop waits
        # for them so nothing committed goes unacknowledged.
        self._in_flight: set[asyncio.Task[object]] = set()

    async def cog_load(self) -> None:
        self.bot.typed_answers = self.take_typed_answer

    async def cog_unload(self) -> None:
        self.bot.typed_answers = None

    # --- starting ------------------------------------------------------------------------

    @commands.hybrid_group(  # type: ignore[arg-type]
        name="convquiz",
        fallback="start",
        invoke_without_command=True,
        description=text("cmd.convquiz"),
    )
    @commands.guild_only()
    @app_commands.describe(
        kind=text("cmd.convquiz.kind"), difficulty=text("cmd.convquiz.difficulty")
    )
    @app_commands.choices(kind=KIND_CHOICES, difficulty=DIFFICULTY_CHOICES)
    async def convquiz(
        self,
        ctx: commands.Context[ConvQuizBot],
        kind: str | None = None,
        difficulty: str | None = None,
    ) -> None:
        lang = await guild_language(self.bot, ctx.guild)
        request = parse_quiz_args([word for word in (kind, difficulty) if word], lang)
        if request.action == "stop":
            await self._stop(ctx)
        else:
            await self._start(ctx, request.kind, request.difficulty, request.code, request.template)

    @convquiz.command(name="replay", description=text("cmd.replay"))  # type: ignore[arg-type]
    @commands.guild_only()
    @app_commands.describe(code=text("cmd.replay.code"))
    async def replay(self, ctx: commands.Context[ConvQuizBot], code: str) -> None:
        await self._start(ctx, None, None, code)

    @convquiz.command(name="review", description=text("cmd.review"))  # type: ignore[arg-type]
    async def review(self, ctx: commands.Context[ConvQuizBot]) -> None:
        from bot.discord.exts.practice._review import send_review

        await send_review(self.bot, ctx)

    @convquiz.command(name="game", description=text("games.cmd"))  # type: ignore[arg-type]
    @commands.guild_only()
    @app_commands.describe(
        count=text("games.cmd.count"),
        kind=text("cmd.convquiz.kind"),
        difficulty=text("cmd.convquiz.difficulty"),
    )
    @app_commands.choices(kind=KIND_CHOICES, difficulty=DIFFICULTY_CHOICES)
    async def game(
        self,
        ctx: commands.Context[ConvQuizBot],
        count: int | None = None,
        kind: str | None = None,
        difficulty: str | None = None,
    ) -> None:
        await start_game(self, ctx, count, kind, difficulty)

    @convquiz.command(name="stop", description=text("cmd.stop"))  # type: ignore[arg-type]
    @commands.guild_only()
    async def stop(self, ctx: commands.Context[ConvQuizBot]) -> None:
        await self._stop(ctx)

    async def _start(
        self,
        ctx: commands.Context[ConvQuizBot],
        kind: str | None,
        difficulty: int | None,
        code: str | None,
        template: str | None = None,
    ) -> None:
        assert ctx.guild is not None
        config = await self.bot.guild_config(ctx.guild.id)
        # Asked in the guild's language, whoever starts it: the whole channel reads it.
        lang = self.bot.service.language_of(config, str(ctx.guild.preferred_locale))
        opened = await self.bot.service.start(
            guild_id=ctx.guild.id,
            channel_id=ctx.channel.id,
            user_id=ctx.author.id,
            kind=kind,
            difficulty=difficulty,
            code=code,
            template=template,
            config=config,
            lang=lang,
            is_moderator=is_moderator(ctx.author),
            member_roles={role.id for role in getattr(ctx.author, "roles", [])},
        )
        await self._post(ctx, opened, pictures=config.pictures)

    async def _post(
        self, ctx: discord.abc.Messageable, opened: OpenQuestion, *, pictures: bool
    ) -> None:
        card = question_card(opened, opened.question.lang, self.bot.games.title_suffix(opened))
        choices = opened.question.choices
        # Choice questions answer by their buttons; the others by typing, or privately
        # through the Answer button's form (the path that always gets a verdict at once).
        if choices:
            view = answer_view(opened.id, len(choices))
        else:
            view = typed_answer_view(opened.id, opened.question.lang)
        add_hint_button(view, opened)
        embed = embed_for(card)
        # Rendered once per question code (cached); the answer is not drawn yet.
        png = await picture_for(opened.question, reveal=False) if pictures else None
        extra = with_picture(embed, png)
        try:
            message = await ctx.send(embed=embed, view=view, file=extra or discord.utils.MISSING)
        except discord.HTTPException:
            # Nobody can see it, so nobody can answer it: free the channel again.
            with contextlib.suppress(StorageError):
                await self.bot.service.stop(opened.channel_id, opened.started_by, is_moderator=True)
            raise
        await self.bot.service.attach_message(opened, message.id)
        self.bot.wake_deadlines()

    # The question of the day (bot.discord.daily) is posted the way `!convquiz` posts one.
    post_question = _post

    async def _stop(self, ctx: commands.Context[ConvQuizBot]) -> None:
        if await stop_game(self, ctx):  # the channel's game, if one runs
            return
        closed = await self.bot.service.stop(
            ctx.channel.id, ctx.author.id, is_moderator=is_moderator(ctx.author)
        )
        if closed is None:
            lang = await reply_language(ctx, ephemeral=True)
            await ctx.send(t("reply.nothing_open", lang), ephemeral=True)
            return
        await self.bot.post_reveal(closed, via=ctx)
