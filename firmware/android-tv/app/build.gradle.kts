plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
}

android {
    namespace = "dev.marquee.tv"
    compileSdk = 34

    defaultConfig {
        applicationId = "dev.marquee.tv"
        minSdk = 21
        targetSdk = 34
        versionCode = 1
        versionName = "0.1.0"
        // The page the WebView opens: the Marquee server's /tv/ (override per build or per device
        // with `adb shell am start -n dev.marquee.tv/.PlayerActivity --es url http://…/tv/`).
        buildConfigField("String", "PLAYER_URL", "\"http://marquee.local:8000/tv/\"")
    }

    buildFeatures { buildConfig = true }

    buildTypes {
        release {
            isMinifyEnabled = false
        }
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    kotlinOptions { jvmTarget = "17" }
}

// No dependencies: the platform's WebView, Activity and AudioManager are all the shell uses.
