package dev.marquee.tv

import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent

/** Starts the player when the TV boots. */
class BootReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) {
        if (intent.action != Intent.ACTION_BOOT_COMPLETED) return
        val start = Intent(context, PlayerActivity::class.java)
            .addFlags(Intent.FLAG_ACTIVITY_NEW_TASK)
        context.startActivity(start)
    }
}
