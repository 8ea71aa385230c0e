package dev.marquee.tv

import android.app.Activity
import android.content.Context
import android.media.AudioManager
import android.net.wifi.WifiManager
import android.os.Build
import android.os.Environment
import android.os.StatFs
import android.webkit.JavascriptInterface
import android.webkit.WebView
import org.json.JSONObject

/**
 * `window.MarqueeAndroid` in the page: the methods firmware/android-tv/web/src/bridge.ts calls.
 * Only what a page cannot do itself; each returns plain values a JavaScript interface can pass.
 */
class MarqueeBridge(private val activity: Activity, private val webView: WebView) {

    /** 0–100 as this window's brightness (no system permission needed); true once applied. */
    @JavascriptInterface
    fun setBrightness(level: Int): Boolean {
        if (level !in 0..100) return false
        activity.runOnUiThread {
            val params = activity.window.attributes
            params.screenBrightness = level / 100f
            activity.window.attributes = params
        }
        return true
    }

    /** 0–100 as the system music stream's volume. */
    @JavascriptInterface
    fun setVolume(level: Int): Boolean {
        if (level !in 0..100) return false
        val audio = activity.getSystemService(Context.AUDIO_SERVICE) as AudioManager
        val max = audio.getStreamMaxVolume(AudioManager.STREAM_MUSIC)
        audio.setStreamVolume(AudioManager.STREAM_MUSIC, Math.round(level / 100f * max), 0)
        return true
    }

    /** The facts seed 002's registration asks for, as JSON. */
    @JavascriptInterface
    fun deviceInfo(): String {
        val stat = StatFs(Environment.getDataDirectory().path)
        val info = JSONObject()
            .put("brand", Build.BRAND)
            .put("model", Build.MODEL)
            .put("manufacturer", Build.MANUFACTURER)
            .put("os_version", "Android ${Build.VERSION.RELEASE}")
            .put("total_storage", gb(stat.totalBytes))
            .put("free_storage", gb(stat.availableBytes))
        @Suppress("DEPRECATION")
        val wifi = activity.applicationContext.getSystemService(Context.WIFI_SERVICE) as? WifiManager
        @Suppress("DEPRECATION")
        val mac = wifi?.connectionInfo?.macAddress
        if (mac != null && mac != "02:00:00:00:00:00") info.put("mac_address", mac)
        return info.toString()
    }

    /** Restarts the page (the player's own recovery after repeated failures). */
    @JavascriptInterface
    fun reload() {
        activity.runOnUiThread { webView.reload() }
    }

    private fun gb(bytes: Long): String = String.format("%.1fGB", bytes / 1e9)
}
