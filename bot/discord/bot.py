"""The Discord bot: construction, extensions, deadlines, and start-up.

Every dependency (service, settings) is passed to the constructor; nothing at module
level needs a token. Cogs in ``bot.discord.exts`` are thin adapters over the quiz service.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable, Sequence
from typing import Any

import discord
import yarl
from discord.ext import commands

from bot.discord import http_guard
from bot.discord.daily import DailyScheduler
from bot.discord.embeds import embed_for, mention, with_picture
from bot.discord.games import GameRunner
from bot.discord.gateway_turns import take_turns
from bot.discord.instruments import instrument
from bot.discord.language import CatalogTranslator
from bot.discord.pictures import picture_for
from bot.discord.quiet_chat import skip_quiet_chat
from bot.discord.reactions import ReactionSender
from bot.discord.replays import SeenIds, drop_replays
from bot.errors import StartupError, StorageError
from bot.ops.health import Health
from bot.ops.metrics import Metrics
from bot.present.cards import close_card
from bot.quiz.feedback import ReactionPlan
from bot.quiz.service import QuizService
from bot.records import ClosedQuestion, GuildConfig
from bot.settings import Settings

log = logging.getLogger(__name__)

# The on_message listeners that _worth_parsing knows want nothing else than it passes:
# typed answers (the quiz cog) and direct messages (practice, always parsed).
MESSAGE_LISTENERS = frozenset({"TypedAnswers.on_message", "PracticeCog.on_message"})
# (channel id, guild id, author id, message id, content) of a typed answer.
TypedAnswers = Callable[[int, int, int, int, str], None]

EXTENSIONS = (
    "bot.discord.exts.quiz",
    "bot.discord.exts.boards",
    "bot.discord.exts.admin",
    "bot.discord.exts.templates",
    "bot.discord.exts.privacy",
    "bot.discord.exts.practice",
    "bot.discord.exts.errors",
)
NO_PINGS = discord.AllowedMentions.none()
# How long a stop waits for committed answers to be acknowledged; with Discord's reaction
# limit (about 4 a second per channel) this covers a busy channel's last burst.
ACKNOWLEDGE_DRAIN_SECONDS = 10.0


def shard_owner(shard_ids: Sequence[int], shard_count: int) -> Any:
    """Whether a guild belongs to this process: Discord's ``(guild_id >> 22) % count``."""
    owned = frozenset(shard_ids)
    return lambda guild_id: (guild_id >> 22) % shard_count in owned


class ConvQuizBot(commands.AutoShardedBot):
    def __init__(
        self,
        *,
        service: QuizService,
        settings: Settings,
        shard_ids: Sequence[int] | None = None,
        shard_count: int | None = None,
        sync_only: bool = False,
        metrics: Metrics | None = None,
        health: Health | None = None,
        reaction_plan: ReactionPlan | None = None,
        **options: Any,
    ) -> None:
        intents = discord.Intents.default()
        # Typed answers and prefix commands need the privileged message content intent.
        intents.message_content = True
        intents.members = False
        # Nothing reads reactions or typing: without these intents Discord does not send
        # them, and the bot's own reactions do not come back as events to parse (2,038
        # in the peer benchmark's run, a seventh of its gateway events).
        intents.reactions = False
        intents.typing = False
        if shard_ids is not None:
            options["shard_ids"] = list(shard_ids)
        super().__init__(
            command_prefix=self._prefix_for,
            intents=intents,
            allowed_mentions=NO_PINGS,
            help_command=None,
            # Nothing reads discord.py's cache of recent messages (edits, deletions and
            # reactions of cached messages): 1,000 Message objects and a linear search
            # of them for every reaction event, saved.
            max_messages=None,
            # None: ask Discord how many shards it recommends (GET /gateway/bot).
            shard_count=shard_count,
            **options,
        )
        self.service = service
        self.settings = settings
        # Registering slash commands must not close (and so lose the reveal of) questions.
        self.sync_only = sync_only
        self._configs: dict[int, GuildConfig] = {}
        self._wake = asyncio.Event()
        self._deadline_task: asyncio.Task[None] | None = None
        self._pending_reveals: list[ClosedQuestion] = []
        # The question of the day's task (bot.discord.daily), where the service has one.
        self.daily: DailyScheduler | None = None
        self._stopping: asyncio.Future[None] | None = None
        # Set by the quiz cog: takes a typed answer straight from its gateway event.
        self.typed_answers: TypedAnswers | None = None
        # discord.py reads each gateway event's parser from this table; replays stop here.
        self.replays = SeenIds()
        drop_replays(self._connection.parsers, self.replays)
        skip_quiet_chat(self._connection.parsers, self._worth_parsing)
        # A burst of gateway frames must not hold up commits and acknowledgements.
        take_turns(self)
        self.started_at = time.monotonic()
        # Ops: REST calls by route, gateway latency, and /healthz's view of the gateway.
        self.metrics = metrics or Metrics()
        # Discord's reaction budget per channel (bot.quiz.feedback); a benchmark against
        # a Discord without limits passes a plan without them.
        self.reactions = ReactionSender(service, reaction_plan)
        # Games of several questions: the reveal path's and the deadline loop's hooks.
        self.games = GameRunner(self)
        instrument(self, self.metrics, health)
        # Every REST attempt waits out a global 429 window (discord.py 2.7.1 bug).
        http_guard.install(self)

    # --- guild settings, cached; every write goes through ``save_config`` ---------------

    async def guild_config(self, guild_id: int) -> GuildConfig:
        config = self._configs.get(guild_id)
        if config is None:
            config = await self.service.config(guild_id)
            self._configs[guild_id] = config
        return config

    async def save_config(self, guild_id: int, **changes: Any) -> GuildConfig:
        config = await self.service.update_config(guild_id, **changes)
        self._configs[guild_id] = config
        return config

    def _worth_parsing(self, data: Any) -> bool:
        """Whether discord.py must parse this MESSAGE_CREATE (bot.discord.quiet_chat).

        Chat in a channel with no open question stops here, with a dict lookup and a
        prefix test. A typed answer (a message in a channel with an open question that
        is no command) goes straight to the quiz cog, with no ``discord.Message`` built.
        Everything else (commands, DMs, a guild whose prefix is not known yet) is parsed.
        """
        try:
            channel_id, guild_id = int(data["channel_id"]), int(data["guild_id"])
            author, content = data["author"], data["content"]
            if self._listens_elsewhere():
                return True  # someone else wants messages: discord.py parses them all
            if author.get("bot"):
                return False  # bots (this one included) neither answer nor command it
            open_question = self.service.open_in(channel_id)
            config = self._configs.get(guild_id)
            if config is None or not isinstance(content, str):
                return True  # the guild's prefix is not known yet: parsing loads it
            # The guild's prefix, or a mention of the bot (<@id> or <@!id>): _prefix_for.
            command = content.startswith((config.prefix or self.settings.convquiz_prefix, "<@"))
            take = self.typed_answers
            if open_question is None or command or take is None:
                return command or (open_question is not None and take is None)
            message_id = int(data["id"])
            author_id = int(author["id"])
        except (KeyError, TypeError, ValueError, AttributeError):
            return True  # a DM, or a shape we do not know: discord.py decides
        if content and self.replays.first_time(str(message_id)):
            take(channel_id, guild_id, author_id, message_id, content)
        return False

    def _listens_elsewhere(self) -> bool:
        """Whether anything but the quiz and practice cogs listens for messages (a cog
        added later, a ``wait_for("message")``): then nothing is dropped unparsed."""
        listeners = self.extra_events.get("on_message", ())
        return bool(self._listeners.get("message")) or any(
            getattr(listener, "__qualname__", "") not in MESSAGE_LISTENERS for listener in listeners
        )

    async def may_be_command(self, message: discord.Message) -> bool:
        """Whether ``message`` starts with one of its guild's command prefixes."""
        prefixes = await self.get_prefix(message)
        return message.content.startswith(
            tuple(prefixes) if isinstance(prefixes, list) else prefixes
        )

    async def on_message(self, message: discord.Message, /) -> None:
        # discord.py's default builds a command Context for every message it is given;
        # most are answers, which are not commands.
        if not message.author.bot and await self.may_be_command(message):
            await self.process_commands(message)

    async def _prefix_for(self, bot: commands.Bot, message: discord.Message) -> list[str]:
        prefix = self.settings.convquiz_prefix
        if message.guild is not None:
            with contextlib.suppress(StorageError):  # the default prefix still works
                prefix = (await self.guild_config(message.guild.id)).prefix or prefix
        return commands.when_mentioned_or(prefix)(bot, message)

    # --- lifecycle -----------------------------------------------------------------------

    async def setup_hook(self) -> None:
        # Slash-command descriptions in every catalog language, sent when commands sync.
        await self.tree.set_translator(CatalogTranslator())
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if self.sync_only:
            return
        self._pending_reveals = await self.service.resume()
        await self.games.resume(self._pending_reveals)
        self._deadline_task = asyncio.create_task(self._deadlines(), name="convquiz-deadlines")
        if self.service.daily is not None:
            self.daily = DailyScheduler(self, self.service.daily)
            self.daily.start()

    async def on_ready(self) -> None:
        log.info("gateway ready: %d guilds, shards %s", len(self.guilds), sorted(self.shards))

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        self.metrics.count_error("event")
        log.exception("unhandled error in %s", event_method)

    async def close(self) -> None:
        """Stop in an order that loses nothing: take no more answers, let those taken
        commit and be acknowledged while Discord's HTTP session is still open, then
        close the gateway and the session. Safe to call more than once."""
        if self._stopping is None:
            self._stopping = asyncio.ensure_future(self._shut_down())
        await asyncio.shield(self._stopping)

    async def _shut_down(self) -> None:
        log.info("stopping: no more answers taken")
        self.service.stop_taking_answers()
        if self.daily is not None:
            await self.daily.stop()
        if self._deadline_task is not None:
            self._deadline_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._deadline_task
        try:
            await self.service.close()  # every answer taken reaches the database
        except Exception:
            log.exception("draining the answer writer failed")
        quiz_cog = self.get_cog("QuizCog")
        drain = getattr(quiz_cog, "drain", None)
        if drain is not None:
            await drain(ACKNOWLEDGE_DRAIN_SECONDS)
        await super().close()
        await self.service.close()  # anything a last handler still queued
        log.info("stopped")

    def wake_deadlines(self) -> None:
        """A question opened: the deadline loop may need to wake sooner."""
        self._wake.set()

    async def _deadlines(self) -> None:
        """Close questions at their deadline and post the reveal; survives restarts
        because deadlines live in the database and ``resume`` reloads them."""
        await self.wait_until_ready()
        for closed in self._pending_reveals:
            await self.post_reveal(closed)
        self._pending_reveals = []
        while not self.is_closed():
            due = [self.service.next_deadline(), self.games.next_due()]
            deadline = min((moment for moment in due if moment is not None), default=None)
            timeout = None
            if deadline is not None:
                timeout = max(0.0, (deadline - self.service.clock()).total_seconds())
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=timeout)
            try:
                for closed in await self.service.close_due():
                    await self.post_reveal(closed)
                await self.games.run_due()  # a game's next question, after its pause
            except StorageError as error:
                log.warning("closing due questions failed: %s", error)
                await asyncio.sleep(1.0)
            except Exception:
                log.exception("closing due questions failed")
                await asyncio.sleep(1.0)

    async def post_reveal(
        self, closed: ClosedQuestion, via: discord.abc.Messageable | None = None
    ) -> None:
        """The one reveal path: the deadline loop posts to the question's channel, a
        ``stop`` command passes its context (a slash command's reply must answer it)."""
        channel_id = closed.open.channel_id
        game_round = await self.games.on_close(closed)  # counted even if unreachable
        channel = via or self.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.fetch_channel(channel_id)
            except discord.HTTPException:
                log.warning(
                    "cannot reach channel %s to reveal question %s", channel_id, closed.open.id
                )
                return
        # A reaction already on the wire lands before the reveal, never after it.
        await self.reactions.settle(channel_id)
        # The reveal is in the language the question was asked in.
        lang = closed.open.question.lang
        card = close_card(closed, mention, lang, self.games.reveal_fields(game_round, lang))
        embed = embed_for(card)
        pictures = True
        with contextlib.suppress(StorageError):
            pictures = (await self.guild_config(closed.open.guild_id)).pictures
        png = await picture_for(closed.open.question, reveal=True) if pictures else None
        try:
            await channel.send(  # type: ignore[union-attr]
                embed=embed,
                allowed_mentions=NO_PINGS,
                file=with_picture(embed, png) or discord.utils.MISSING,
            )
        except discord.HTTPException as error:
            log.warning("cannot post the reveal of question %s: %s", closed.open.id, error)
        await self.games.after_reveal(game_round, channel)  # type: ignore[arg-type]


def _stop_on_signals(bot: ConvQuizBot) -> None:
    """SIGTERM (systemd, Docker) and SIGINT (Ctrl-C) both stop the bot the orderly way."""
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not on Windows
            loop.add_signal_handler(signum, lambda: asyncio.ensure_future(bot.close()))


def point_at(settings: Settings) -> None:
    """Aim the unmodified discord.py client at another REST base / gateway (tests, proxies)."""
    if settings.discord_api_base:
        discord.http.Route.BASE = settings.discord_api_base.rstrip("/")
    if settings.discord_gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


async def run_bot(
    settings: Settings,
    service: QuizService,
    *,
    shard_ids: Sequence[int] | None = None,
    shard_count: int | None = None,
    sync_only: bool = False,
    sync_guild: int | None = None,
    metrics: Metrics | None = None,
    health: Health | None = None,
) -> None:
    """Log in and run until stopped; with ``sync_only``, register slash commands and exit."""
    point_at(settings)
    bot = ConvQuizBot(
        service=service,
        settings=settings,
        shard_ids=shard_ids,
        shard_count=shard_count,
        sync_only=sync_only,
        metrics=metrics,
        health=health,
    )
    token = settings.token
    assert token is not None
    try:
        async with bot:
            if sync_only:
                await bot.login(token)  # runs setup_hook, which loads the extensions
                guild = discord.Object(sync_guild) if sync_guild else None
                if guild is not None:
                    bot.tree.copy_global_to(guild=guild)
                synced = await bot.tree.sync(guild=guild)
                print(
                    f"synced {len(synced)} slash commands"
                    + (f" to guild {sync_guild}" if guild else "")
                )
                return
            _stop_on_signals(bot)
            await bot.start(token)
    except discord.LoginFailure:
        raise StartupError(
            "Discord rejected DISCORD_TOKEN (check it in the developer portal)"
        ) from None
    except discord.PrivilegedIntentsRequired:
        raise StartupError(
            "enable the Message Content intent for this bot in the developer portal (Bot tab)"
        ) from None
    except (OSError, discord.GatewayNotFound, discord.HTTPException) as error:
        raise StartupError(f"cannot connect to Discord: {error}") from None
