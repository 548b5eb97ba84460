"""IVR actions: what an ``action`` node of a menu tree runs, by name."""

from __future__ import annotations

from ivr.answering_machine import take_message
from ivr.call_context import Action
from ivr.callback_request import request_callback
from ivr.debt_info import tell_debt
from ivr.outage_info import tell_outages
from ivr.readings_entry import submit_readings
from ivr.service_orders import order_paid_service

ACTIONS: dict[str, Action] = {
    "callback_request": request_callback,
    "submit_readings": submit_readings,
    "debt_info": tell_debt,
    "outages_info": tell_outages,
    "paid_service_order": order_paid_service,
    "answering_machine": take_message,
}
