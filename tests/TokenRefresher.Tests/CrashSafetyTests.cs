using System.Diagnostics;
using System.Text.Json.Nodes;
using AiSandbox.TestSupport;
using Xunit.Abstractions;

namespace AiSandbox.TokenRefresher.Tests;

/// <summary>
/// kill -9 at fixed points of refresh-and-write passes, each reached by an event rather than a sleep: when
/// the server has rotated the token (before it answers), when the settings copy's temp file appears, when
/// the settings copy has been renamed into place, and when the session copy's temp file appears. No copy is
/// ever partial, empty, wider than 0600 or older than before; once the settings copy is written it holds
/// the live chain, so a spent token is never sent again.
/// </summary>
public sealed class CrashSafetyTests(ITestOutputHelper output)
{
    private const int Passes = 40;

    private enum KillPoint
    {
        Rotated,
        SettingsTempFile,
        SettingsRenamed,
        SessionTempFile,
    }

    [Fact]
    public async Task Killed_writers_never_leave_a_partial_empty_older_or_open_copy()
    {
        await using var box = new Sandbox();
        var session = box.SessionCopy("work", "27_Fri_08-00");
        var sessionDir = Path.GetDirectoryName(session)!;
        void Seed()
        {
            var fresh = box.Server.IssueCredentials("work");
            fresh.WriteTo(box.SettingsCopy("work"));
            fresh.WriteTo(session);
        }

        Seed();

        // Every pass refreshes (REFRESH_BEFORE far beyond the lifetime) and writes both copies, settings first.
        var env = box.Env(sessionDir, ("REFRESH_BEFORE", "999999"));
        Action? trigger = null;
        void Fire()
        {
            Interlocked.Exchange(ref trigger, null)?.Invoke();
        }

        using var settingsWatch = new FileSystemWatcher(box.Settings) { IncludeSubdirectories = false };
        using var sessionWatch = new FileSystemWatcher(sessionDir) { IncludeSubdirectories = false };
        var point = KillPoint.Rotated;
        settingsWatch.Created += (_, e) => { if (point == KillPoint.SettingsTempFile && e.Name!.StartsWith("..credentials.work.json.tmp.", StringComparison.Ordinal)) Fire(); };
        settingsWatch.Renamed += (_, e) => { if (point == KillPoint.SettingsRenamed && e.Name == ".credentials.work.json") Fire(); };
        sessionWatch.Created += (_, e) => { if (point == KillPoint.SessionTempFile && e.Name!.StartsWith("..credentials.json.tmp.", StringComparison.Ordinal)) Fire(); };
        settingsWatch.EnableRaisingEvents = true;
        sessionWatch.EnableRaisingEvents = true;
        Process? running = null;
        box.Server.Rotated = async () =>
        {
            if (point == KillPoint.Rotated && Volatile.Read(ref running) is { } client)
            {
                // The answer goes out only after the client is gone.
                Fire();
                await client.WaitForExitAsync();
            }
        };

        var lost = new Dictionary<KillPoint, int>();
        var killed = 0;
        var previousExpiry = Sandbox.ExpiresAt(box.SettingsCopy("work"));
        for (var i = 0; i < Passes; i++)
        {
            point = (KillPoint)(i % 4);
            // Armed before the start, so no kill point can be reached before it is watched for.
            using var p = new Process { StartInfo = Run.Start(RepoPaths.Binary("refresh-tokens"), ["--once"], env) };
            Volatile.Write(ref running, p);
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref trigger, () =>
            {
                try
                {
                    p.Kill(); // SIGKILL
                }
                catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    // Already gone: a fast writer finished before the event was delivered.
                }

                reached.TrySetResult();
            });
            p.Start();
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            box.Record((await stdout).Split('\n').Concat((await stderr).Split('\n')));

            // A file event may be delivered after a fast writer already exited; it must come all the same.
            await reached.Task.WaitAsync(TimeSpan.FromSeconds(20));
            Interlocked.Exchange(ref trigger, null);
            if (p.ExitCode != 0)
            {
                killed++;
            }

            foreach (var dir in new[] { box.Settings, sessionDir })
            {
                // Copies, temp files, locks and marks: everything the refresher writes.
                foreach (var file in Directory.GetFiles(dir).Where(f => Path.GetFileName(f).Contains("credentials", StringComparison.Ordinal)))
                {
                    Assert.True((File.GetUnixFileMode(file) & ~(UnixFileMode.UserRead | UnixFileMode.UserWrite)) == 0, $"{file} is wider than 0600");
                }
            }

            foreach (var copy in new[] { box.SettingsCopy("work"), session })
            {
                var oauth = (JsonObject)JsonNode.Parse(File.ReadAllText(copy))!["claudeAiOauth"]!;
                Assert.False(string.IsNullOrEmpty(oauth["accessToken"]!.GetValue<string>()));
                Assert.False(string.IsNullOrEmpty(oauth["refreshToken"]!.GetValue<string>()));
                Assert.True(oauth["expiresAt"]!.GetValue<long>() > 0);
                Assert.NotNull(JsonNode.Parse(File.ReadAllText(copy))!["mcpOAuth"]);
            }

            var expiry = Sandbox.ExpiresAt(box.SettingsCopy("work"));
            Assert.True(expiry >= previousExpiry, $"pass {i} ({point}): the settings copy moved back in time");
            previousExpiry = expiry;

            // Once the settings copy was renamed into place it is the live chain, whatever happens next.
            var settingsLive = box.Server.IsRefreshTokenLive(Sandbox.RefreshToken(box.SettingsCopy("work")));
            if (point is KillPoint.SettingsRenamed or KillPoint.SessionTempFile)
            {
                Assert.True(settingsLive, $"pass {i} ({point}): the settings copy is not on the live chain");
            }

            // A kill between the rotation and the settings copy's rename loses the new refresh token, as with
            // any client killed there; start a new chain then, so later passes keep exercising writes.
            if (!settingsLive && !box.Server.IsRefreshTokenLive(Sandbox.RefreshToken(session)))
            {
                lost[point] = lost.GetValueOrDefault(point) + 1;
                Seed();
                previousExpiry = Sandbox.ExpiresAt(box.SettingsCopy("work"));
            }
        }

        // How many kills landed before the process finished by itself depends on the machine: reported, not asserted.
        output.WriteLine($"{Passes} passes, {killed} ended by the kill; {box.Server.Stats.Refreshed} refreshes completed; new chains after a kill before the settings copy was written: " +
            string.Join(", ", lost.Select(kv => $"{kv.Key} {kv.Value}")));
        Assert.Equal(0, box.Server.Stats.SpentTokenRequests);
        Assert.Equal(0, lost.GetValueOrDefault(KillPoint.SettingsRenamed) + lost.GetValueOrDefault(KillPoint.SessionTempFile));
    }
}
