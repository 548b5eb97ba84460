from worktime.clock import *  # noqa: F403  (transitional)
from worktime.clock import LOCAL_TIME, Clock, ManualClock, RunningClock, system_clock  # noqa: F401
