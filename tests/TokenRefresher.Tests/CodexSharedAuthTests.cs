using AiSandbox.TestSupport;
using AiSandbox.TokenRefresher.Codex;

namespace AiSandbox.TokenRefresher.Tests;

/// <summary>The decisions behind cx's launch copy and sync-back, on real files and the real chain lock.</summary>
public sealed class CodexSharedAuthTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly TempDir _temp = new("aisandbox-codex-auth-");

    private string Shared => _temp["auth.json"];

    private string Session => _temp["session-auth.json"];

    private static string Auth(string access, string refresh, string? lastRefresh) =>
        "{\"tokens\":{\"access_token\":\"" + access + "\",\"refresh_token\":\"" + refresh + "\"}" +
        (lastRefresh is null ? string.Empty : ",\"last_refresh\":\"" + lastRefresh + "\"") + "}";

    [Fact]
    public async Task A_copy_the_session_did_not_change_is_never_given_back()
    {
        File.WriteAllText(Shared, Auth("a1", "r1", "2026-08-20T10:00:00Z"));
        var launch = await CodexSharedAuth.PrepareSessionAsync(Shared, Session, Wait, TimeProvider.System);
        var newer = Auth("a2", "r2", "2026-08-20T11:00:00Z");
        File.WriteAllText(Shared, newer);

        Assert.Equal(CodexSyncResult.Unchanged, await CodexSharedAuth.SyncBackAsync(Session, Shared, launch, Wait, TimeProvider.System));
        Assert.Equal(newer, File.ReadAllText(Shared));
    }

    [Fact]
    public async Task A_refresh_older_than_the_shared_copy_is_kept_out()
    {
        File.WriteAllText(Shared, Auth("a1", "r1", "2026-08-20T10:00:00Z"));
        var launch = await CodexSharedAuth.PrepareSessionAsync(Shared, Session, Wait, TimeProvider.System);
        File.WriteAllText(Session, Auth("a2", "r2", "2026-08-20T11:00:00.5Z"));
        var later = Auth("a3", "r3", "2026-08-20T11:00:01Z");
        File.WriteAllText(Shared, later);

        Assert.Equal(CodexSyncResult.SharedNewer, await CodexSharedAuth.SyncBackAsync(Session, Shared, launch, Wait, TimeProvider.System));
        Assert.Equal(later, File.ReadAllText(Shared));
    }

    [Fact]
    public async Task A_change_without_a_stamp_goes_back_only_over_an_untouched_shared_copy()
    {
        File.WriteAllText(Shared, "{\"OPENAI_API_KEY\":\"sk-1\"}");
        var launch = await CodexSharedAuth.PrepareSessionAsync(Shared, Session, Wait, TimeProvider.System);
        File.WriteAllText(Session, "{\"OPENAI_API_KEY\":\"sk-2\"}");
        Assert.Equal(CodexSyncResult.Written, await CodexSharedAuth.SyncBackAsync(Session, Shared, launch, Wait, TimeProvider.System));
        Assert.Equal("{\"OPENAI_API_KEY\":\"sk-2\"}", File.ReadAllText(Shared));

        launch = await CodexSharedAuth.PrepareSessionAsync(Shared, Session, Wait, TimeProvider.System);
        File.WriteAllText(Session, "{\"OPENAI_API_KEY\":\"sk-3\"}");
        File.WriteAllText(Shared, Auth("a1", "r1", "2026-08-20T10:00:00Z"));
        Assert.Equal(CodexSyncResult.SharedNewer, await CodexSharedAuth.SyncBackAsync(Session, Shared, launch, Wait, TimeProvider.System));
        Assert.Contains("r1", File.ReadAllText(Shared));
    }

    [Theory]
    [InlineData("{\"tokens\":{\"access_token\":\"\",\"refresh_token\":\"\"},\"last_refresh\":\"2099-01-01T00:00:00Z\"}")]
    [InlineData("{\"tokens\":{\"access_token\":\"a\",\"access_token\":\"b\"},\"last_refresh\":\"2099-01-01T00:00:00Z\"}")]
    [InlineData("{\"tokens\":[1,2],\"last_refresh\":12}")]
    [InlineData("{\"tokens\":")]
    [InlineData("[]")]
    public async Task A_session_copy_without_a_usable_login_never_replaces_the_shared_one(string content)
    {
        var shared = Auth("a1", "r1", "2026-08-20T10:00:00Z");
        File.WriteAllText(Shared, shared);
        var launch = await CodexSharedAuth.PrepareSessionAsync(Shared, Session, Wait, TimeProvider.System);
        File.WriteAllText(Session, content);

        Assert.Equal(CodexSyncResult.Unchanged, await CodexSharedAuth.SyncBackAsync(Session, Shared, launch, Wait, TimeProvider.System));
        Assert.Equal(shared, File.ReadAllText(Shared));
    }

    [Fact]
    public async Task Launch_adopts_a_newer_session_copy_and_otherwise_starts_from_the_shared_one()
    {
        File.WriteAllText(Shared, Auth("a1", "r1", "2026-08-20T10:00:00Z"));
        var newer = Auth("a2", "r2", "2026-08-20T11:00:00Z");
        File.WriteAllText(Session, newer);
        await CodexSharedAuth.PrepareSessionAsync(Shared, Session, Wait, TimeProvider.System);
        Assert.Equal(newer, File.ReadAllText(Shared));

        var latest = Auth("a3", "r3", "2026-08-20T12:00:00Z");
        File.WriteAllText(Shared, latest);
        await CodexSharedAuth.PrepareSessionAsync(Shared, Session, Wait, TimeProvider.System);
        Assert.Equal(latest, File.ReadAllText(Session));
    }

    [Fact]
    public async Task A_newer_session_copy_the_shared_copy_cannot_take_at_launch_is_offered_again_at_exit()
    {
        var target = _temp["elsewhere.json"];
        File.WriteAllText(target, Auth("a1", "r1", "2026-08-20T10:00:00Z"));
        File.CreateSymbolicLink(Shared, target);
        var newer = Auth("a2", "r2", "2026-08-20T11:00:00Z");
        File.WriteAllText(Session, newer);

        var launch = await CodexSharedAuth.PrepareSessionAsync(Shared, Session, Wait, TimeProvider.System);

        Assert.Null(launch);
        Assert.Equal(newer, File.ReadAllText(Session));
        await Assert.ThrowsAsync<Common.IO.SymlinkRefusedException>(() => CodexSharedAuth.SyncBackAsync(Session, Shared, launch, Wait, TimeProvider.System));
        Assert.Contains("r1", File.ReadAllText(target));
    }

    [Fact]
    public void A_login_is_stamped_after_a_shared_copy_from_the_future()
    {
        var now = DateTimeOffset.Parse("2026-08-20T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        File.WriteAllText(Shared, Auth("a1", "r1", "2026-08-20T12:00:00Z"));
        Assert.True(CodexSharedAuth.LoginStamp(Shared, now) > DateTimeOffset.Parse("2026-08-20T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        File.WriteAllText(Shared, Auth("a1", "r1", "2026-08-20T08:00:00Z"));
        Assert.Equal(now, CodexSharedAuth.LoginStamp(Shared, now));
    }

    [Fact]
    public async Task A_sync_back_waits_for_the_chain_lock_and_gives_up_with_a_timeout()
    {
        File.WriteAllText(Shared, Auth("a1", "r1", "2026-08-20T10:00:00Z"));
        var launch = await CodexSharedAuth.PrepareSessionAsync(Shared, Session, Wait, TimeProvider.System);
        File.WriteAllText(Session, Auth("a2", "r2", "2026-08-20T11:00:00Z"));
        using (Common.IO.FileLock.TryAcquire(CodexSharedAuth.LockPath(Shared)) ?? throw new InvalidOperationException("lock taken"))
        {
            await Assert.ThrowsAsync<TimeoutException>(() =>
                CodexSharedAuth.SyncBackAsync(Session, Shared, launch, TimeSpan.FromMilliseconds(50), TimeProvider.System));
            Assert.Contains("r1", File.ReadAllText(Shared));
        }

        Assert.Equal(CodexSyncResult.Written, await CodexSharedAuth.SyncBackAsync(Session, Shared, launch, Wait, TimeProvider.System));
    }

    public void Dispose() => _temp.Dispose();
}
