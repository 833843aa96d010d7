"""Dialogs of the main window; all non-modal, so grading goes on while they are open."""
