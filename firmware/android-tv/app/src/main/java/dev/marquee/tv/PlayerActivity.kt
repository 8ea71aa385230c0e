package dev.marquee.tv

import android.annotation.SuppressLint
import android.app.Activity
import android.os.Bundle
import android.os.Handler
import android.os.Looper
import android.view.View
import android.view.WindowManager
import android.webkit.WebChromeClient
import android.webkit.WebView
import android.webkit.WebViewClient

/**
 * The whole shell: a full-screen WebView on the Marquee server's /tv/ page, kept on, with the
 * native bridge, and a watchdog that reloads the page when it stops answering. Every playback
 * decision is the web player's (firmware/android-tv/web).
 */
class PlayerActivity : Activity() {
    private lateinit var webView: WebView
    private val handler = Handler(Looper.getMainLooper())
    private var lastAnswer = System.currentTimeMillis()

    @SuppressLint("SetJavaScriptEnabled")
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        window.addFlags(WindowManager.LayoutParams.FLAG_KEEP_SCREEN_ON)
        webView = WebView(this)
        webView.setLayerType(View.LAYER_TYPE_HARDWARE, null)
        webView.settings.apply {
            javaScriptEnabled = true
            domStorageEnabled = true
            databaseEnabled = true
            mediaPlaybackRequiresUserGesture = false
        }
        webView.webViewClient = WebViewClient()
        webView.webChromeClient = WebChromeClient()
        webView.addJavascriptInterface(MarqueeBridge(this, webView), "MarqueeAndroid")
        setContentView(webView)
        hideSystemUi()
        webView.loadUrl(intent.getStringExtra("url") ?: BuildConfig.PLAYER_URL)
        handler.postDelayed(watchdog, WATCHDOG_INTERVAL_MS)
    }

    /** Asks the page a trivial question; no answer for WATCHDOG_LIMIT_MS reloads it. */
    private val watchdog = object : Runnable {
        override fun run() {
            webView.evaluateJavascript("1") { lastAnswer = System.currentTimeMillis() }
            if (System.currentTimeMillis() - lastAnswer > WATCHDOG_LIMIT_MS) {
                lastAnswer = System.currentTimeMillis()
                webView.reload()
            }
            handler.postDelayed(this, WATCHDOG_INTERVAL_MS)
        }
    }

    @Suppress("DEPRECATION")
    private fun hideSystemUi() {
        window.decorView.systemUiVisibility = (View.SYSTEM_UI_FLAG_FULLSCREEN
            or View.SYSTEM_UI_FLAG_HIDE_NAVIGATION
            or View.SYSTEM_UI_FLAG_IMMERSIVE_STICKY)
    }

    override fun onDestroy() {
        handler.removeCallbacks(watchdog)
        webView.destroy()
        super.onDestroy()
    }

    companion object {
        private const val WATCHDOG_INTERVAL_MS = 15_000L
        private const val WATCHDOG_LIMIT_MS = 60_000L
    }
}
